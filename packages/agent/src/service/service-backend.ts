/** What `tender-agent service status` reports, the same fields on every platform. */
export interface ServiceStatus {
  manager: 'systemd' | 'launchd' | 'winsw';
  name: string;
  /** The unit file, plist or WinSW configuration (undefined when not installed). */
  definition?: string;
  installed: boolean;
  /** Starts at boot. */
  enabled: boolean;
  running: boolean;
  pid?: number;
  /** The manager's own word for the state (systemd's ActiveState/SubState, launchd's state, WinSW's status). */
  state: string;
}

/** What an action did, step by step, for the operator (and --json). */
export interface ServiceReport {
  actions: string[];
  status: ServiceStatus;
}

export interface ServiceBackend {
  install(options: { start: boolean }): Promise<ServiceReport>;
  uninstall(): Promise<ServiceReport>;
  start(): Promise<ServiceReport>;
  stop(): Promise<ServiceReport>;
  status(): Promise<ServiceStatus>;
}

/** A service action that could not be done, with what the operator needs to know to act. */
export class ServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}
