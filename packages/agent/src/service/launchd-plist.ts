import path from 'node:path';
import { xmlEscape } from './xml-escape.js';

export const LAUNCHD_LABEL = 'com.tender.agent';
export const LAUNCHD_PLIST_PATH = `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`;
/** newsyslog rotates the log files launchd writes (launchd itself never rotates them). */
export const NEWSYSLOG_CONF_PATH = '/etc/newsyslog.d/tender-agent.conf';

/**
 * The LaunchDaemon: starts at boot as root, restarted by launchd when it exits with a failure or is killed (not
 * after a clean exit, e.g. a deregistered instance), at most every 10 s (ThrottleInterval, launchd's only backoff).
 * `plutil -lint` passes on it where plutil exists (packages/agent/test/service-definitions.test.ts).
 */
export function launchdPlist(options: { command: string[]; stateDir: string; logDir: string }): string {
  const args = [...options.command, 'start'].map((arg) => `    <string>${xmlEscape(arg)}</string>`).join('\n');
  const log = xmlEscape(path.posix.join(options.logDir, 'agent.log'));
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
    <key>TENDER_AGENT_STATE_DIR</key>
    <string>${xmlEscape(options.stateDir)}</string>
    <key>PATH</key>
    <string>/usr/local/bin:/opt/homebrew/bin:/usr/bin:/bin:/usr/sbin:/sbin</string>
  </dict>
  <key>WorkingDirectory</key>
  <string>${xmlEscape(options.stateDir)}</string>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>10</integer>
  <key>ExitTimeOut</key>
  <integer>30</integer>
  <key>ProcessType</key>
  <string>Standard</string>
  <key>StandardOutPath</key>
  <string>${log}</string>
  <key>StandardErrorPath</key>
  <string>${log}</string>
</dict>
</plist>
`;
}

/** newsyslog.conf(5) line: keep 8 compressed generations, rotate at 10 MB, owner root, mode 600. */
export function newsyslogConf(logDir: string): string {
  return `# tender-agent's log (written by launchd): rotated at 10 MB, 8 compressed files kept.\n# logfilename\t\t\t\t[owner:group]\tmode\tcount\tsize(KB)\twhen\tflags\n${path.posix.join(logDir, 'agent.log')}\troot:wheel\t600\t8\t10240\t*\tZ\n`;
}
