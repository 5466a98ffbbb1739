/** What the commands service logs through: pino's Logger fits, and tests pass nothing (silence). */
export interface CommandLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export const SILENT_LOGGER: CommandLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
