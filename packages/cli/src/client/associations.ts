/** What the `tender associations` commands share: reading --target and --parameter, and table rows. */
import type { Association, AssociationDescription, AssociationExecution, AssociationExecutionTarget, Target } from '@aws-sdk/client-ssm';

/**
 * `--target KEY=V1,V2`: `InstanceIds=mi-...,mi-...` (or `InstanceIds=*` for every node), `tag:Role=web,db`,
 * `tag-key=Patch`. The AWS CLI's `Key=tag:Role,Values=web` is accepted too.
 */
export function parseTarget(text: string): Target {
  const aws = /^Key=([^,]+),Values=(.+)$/.exec(text);
  if (aws) return { Key: aws[1]!, Values: aws[2]!.split(',') };
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw new Error(`--target ${JSON.stringify(text)} must be KEY=VALUE[,VALUE...], e.g. tag:Role=web or InstanceIds=mi-0123456789abcdef0`);
  return { Key: text.slice(0, at), Values: text.slice(at + 1).split(',') };
}

/** `--parameter name=value`, repeatable; a name given twice makes a list (StringList parameters). */
export function parseParameters(texts: readonly string[]): Record<string, string[]> {
  const parameters: Record<string, string[]> = {};
  for (const text of texts) {
    const at = text.indexOf('=');
    if (at <= 0) throw new Error(`--parameter ${JSON.stringify(text)} must be NAME=VALUE`);
    (parameters[text.slice(0, at)] ??= []).push(text.slice(at + 1));
  }
  return parameters;
}

export const targetsText = (targets: Target[] | undefined): string => (targets ?? []).map((t) => `${t.Key}=${(t.Values ?? []).join(',')}`).join(' ');

export function associationRow(a: Association | AssociationDescription): Record<string, unknown> {
  return {
    AssociationId: a.AssociationId,
    Name: a.AssociationName,
    Document: a.Name,
    Version: a.AssociationVersion,
    Targets: targetsText(a.Targets),
    Schedule: a.ScheduleExpression,
    Status: a.Overview?.Status,
    LastExecution: a.LastExecutionDate,
  };
}

export function executionRow(e: AssociationExecution): Record<string, unknown> {
  return { ExecutionId: e.ExecutionId, Version: e.AssociationVersion, Status: e.Status, Resources: e.ResourceCountByStatus, Created: e.CreatedTime, LastExecution: e.LastExecutionDate };
}

export function executionTargetRow(t: AssociationExecutionTarget): Record<string, unknown> {
  return { ResourceId: t.ResourceId, Status: t.Status, DetailedStatus: t.DetailedStatus, LastExecution: t.LastExecutionDate };
}
