import { SERVICE_NAME } from './service-layout.js';

export const SYSTEMD_UNIT_NAME = `${SERVICE_NAME}.service`;

/** systemd splits ExecStart= on spaces unless an argument is double-quoted (systemd.service(5), "Command lines"). */
function quoteArgument(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/**
 * The tender-agent.service unit. The packages ship it as `npm run package` renders it (ExecStart the package's
 * launcher); `tender-agent service install` writes it for a tarball or source install. `systemd-analyze verify`
 * passes on it with no output (packages/agent/test/service-definitions.test.ts).
 */
export function systemdUnit(options: { command: string[]; stateDir: string }): string {
  const execStart = [...options.command, 'start'].map(quoteArgument).join(' ');
  return `# tender-agent: the Tender host agent as a systemd service. The .deb/.rpm install it under /lib/systemd/system
# (or /usr/lib/systemd/system); \`tender-agent service install\` writes it to /etc/systemd/system for a tarball install.
# Local changes belong in a drop-in (\`systemctl edit tender-agent\`), which upgrades keep.
[Unit]
Description=Tender agent (runs commands, inventory and patching for a Tender or AWS SSM control plane)
Wants=network-online.target
After=network-online.target
# A crash loop gives up after 20 starts within 10 minutes (the unit is then failed until an operator, or the next
# package upgrade, starts it again); below that, Restart= keeps trying.
StartLimitIntervalSec=10min
StartLimitBurst=20

[Service]
# exec: the unit counts as started only once the launcher has really been executed, so a missing or broken
# binary fails \`systemctl start\` instead of looking started.
Type=exec
Environment=TENDER_AGENT_STATE_DIR=${quoteArgument(options.stateDir)}
# Operator settings (log level, inventory interval, another Node.js in TENDER_AGENT_NODE, ...); upgrades keep it.
EnvironmentFile=-/etc/tender-agent/agent.env
ExecStart=${execStart}
# Restart after a crash or a kill, not after a clean stop. Exit 3 means the control plane refused or deregistered
# this instance, and 69 that no usable Node.js exists: a restart cannot fix either, so it would only loop.
# Backoff: systemd 254+ grows the delay (RestartSteps=, RestartMaxDelaySec=), which the packages add as a drop-in
# (tender-agent.service.d/backoff.conf) only where systemd knows those keys, since older versions warn about them.
Restart=on-failure
RestartSec=5s
RestartPreventExitStatus=3 69
# On stop the agent gets SIGTERM and 30 s to spool what it is doing. Only the agent itself is signalled
# (KillMode=process): commands it started (a package upgrade, a script that restarts this very service) are left
# to finish, as amazon-ssm-agent does, instead of being killed half-way.
KillMode=process
TimeoutStopSec=30s
# Identity, keys and spool: /var/lib/tender-agent, created 0700, readable by root only.
StateDirectory=${SERVICE_NAME}
StateDirectoryMode=0700
ConfigurationDirectory=${SERVICE_NAME}
ConfigurationDirectoryMode=0755
# Logs go to the journal (JSON lines on standard output), tagged tender-agent: journalctl -u tender-agent.
SyslogIdentifier=${SERVICE_NAME}
StandardOutput=journal
StandardError=journal

# Hardening that an agent which runs administrators' commands as root can live with: the kernel keyring stays
# private to the service, no realtime scheduling, no personality() changes. (The state directory is private through
# StateDirectoryMode= above rather than a UMask=, which commands would inherit.)
KeyringMode=private
RestrictRealtime=yes
LockPersonality=yes
# Deliberately NOT used, because the agent exists to run arbitrary administration as root (scripts, package
# managers, patching), and each of these would break some of it:
#   NoNewPrivileges, RestrictSUIDSGID   sudo/su in scripts; installing packages that ship setuid binaries
#   ProtectSystem, ProtectHome, ReadOnlyPaths  commands must write /etc, /usr, /opt and home directories
#   PrivateTmp                          files a command leaves in /tmp must be where an administrator looks
#   CapabilityBoundingSet, User=        commands need full root (mount, chown, networking, modules)
#   ProtectKernelTunables/Modules/Logs, ProtectClock, ProtectHostname  sysctl, modprobe, dmesg, time, hostname
#   PrivateDevices, DevicePolicy        disk and device administration
#   RestrictNamespaces, ProtectControlGroups, SystemCallFilter  containers and the runtimes commands start
#   MemoryDenyWriteExecute              V8's JIT (and any JIT a command runs) needs writable+executable memory
#   PrivateNetwork, IPAddressDeny       the agent and its commands need the network
#   UMask=0077                          commands would create files that services reading them cannot read

[Install]
WantedBy=multi-user.target
`;
}
