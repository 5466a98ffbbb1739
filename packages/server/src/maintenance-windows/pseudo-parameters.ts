/**
 * The pseudo-parameters SSM fills in for maintenance window tasks ("About pseudo parameters"): written in a
 * task's parameters (or comment) as {{NAME}}, replaced per invocation when the task runs. Others of SSM's
 * ({{LOGGING_S3_...}}) concern S3 logging, which Tender does not do; they are left as written.
 */
export interface PseudoParameterValues {
  WINDOW_ID: string;
  WINDOW_TASK_ID: string;
  WINDOW_EXECUTION_ID: string;
  TASK_EXECUTION_ID: string;
  /** The managed instance of this invocation. */
  RESOURCE_ID: string;
  /** Kept by SSM for older tasks: the same instance id. */
  TARGET_ID: string;
  RESOURCE_TYPE: string;
  TARGET_TYPE: string;
  /** The registered window target the instance came in by ('' when the task names instance ids). */
  WINDOW_TARGET_ID: string;
}

const PSEUDO = /\{\{\s*(WINDOW_ID|WINDOW_TASK_ID|WINDOW_EXECUTION_ID|TASK_EXECUTION_ID|RESOURCE_ID|TARGET_ID|RESOURCE_TYPE|TARGET_TYPE|WINDOW_TARGET_ID)\s*\}\}/g;

export function fillPseudoParameters(text: string, values: PseudoParameterValues): string {
  return text.replace(PSEUDO, (_match, name: keyof PseudoParameterValues) => values[name]);
}

export function fillParameterMap(parameters: Record<string, string[]> | undefined, values: PseudoParameterValues): Record<string, string[]> {
  return Object.fromEntries(Object.entries(parameters ?? {}).map(([name, list]) => [name, list.map((value) => fillPseudoParameters(value, values))]));
}
