import type { Logger } from '@tender/plugin-api';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * The agent's logger: one JSON object per line ({"time","level","svc","msg",...fields}) on standard output,
 * which journald and log shippers take as they are. Hand-written rather than pino because pino costs the
 * idle agent about 5 MB of its 60 MB budget (`npm run bench -- agent`); the control plane uses pino.
 */
export function createJsonLogger(options: { level?: string; write?: (line: string) => void; base?: Record<string, unknown> } = {}): Logger {
  const threshold = LEVELS[(options.level ?? 'info') as LogLevel] ?? LEVELS.info;
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const base = options.base ?? {};
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level, ...base, msg: message, ...fields });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level, ...base, msg: message, fields: '[unserialisable]' });
    }
    write(`${line}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
