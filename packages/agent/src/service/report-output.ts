import type { ServiceReport, ServiceStatus } from './service-backend.js';

/** Human lines for a service status (`service status` and the tail of every other service command). */
export function statusLines(status: ServiceStatus): string[] {
  return [
    `service   ${status.name} (${status.manager})`,
    `installed ${status.installed ? `yes: ${status.definition ?? ''}` : 'no'}`,
    `at boot   ${status.enabled ? 'yes' : 'no'}`,
    `running   ${status.running ? `yes${status.pid ? `, pid ${status.pid}` : ''}` : 'no'} [${status.state}]`,
  ];
}

export function reportLines(report: ServiceReport): string[] {
  return [...report.actions.map((action) => `- ${action}`), ...statusLines(report.status)];
}
