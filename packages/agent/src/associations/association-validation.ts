/**
 * The checks an `associations` set passes before the agent stores any of it. A set is taken whole or not at all:
 * one bad association (a schedule that does not parse, a document that is not one) refuses the set, and the agent
 * keeps running the set it had. Messages name the association and the field, so the control plane's operator (who
 * sees the rejection in the audit trail) knows what to fix.
 */
import { parseDocument } from '@tender/documents';
import type { AssociationBody, AssociationsBody } from '@tender/protocol';
import { validateAssociationSchedule } from '@tender/schedules';
import { commandProblems } from '../runner/index.js';

/** More than this many associations on one host is a runaway control plane, not a configuration. */
export const MAX_ASSOCIATIONS_PER_INSTANCE = 2000;
const MAX_ID_LENGTH = 128;
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNSPECIFIED'];

export class InvalidAssociationsError extends Error {
  constructor(readonly problems: string[]) {
    super(`the associations set was refused and nothing of it was stored (the previous set is kept): ${problems.join('; ')}`);
    this.name = 'InvalidAssociationsError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;

/** The problems of one association; empty when it can be stored and scheduled. */
export function associationProblems(value: unknown, index: number): string[] {
  if (!isObject(value)) return [`associations[${index}] is not an object`];
  const a = value as Partial<AssociationBody> & Record<string, unknown>;
  const name = isId(a.associationId) ? `association ${a.associationId}` : `associations[${index}]`;
  const problems: string[] = [];
  const need = (ok: boolean, field: string, what: string) => {
    if (!ok) problems.push(`${name}: ${field} must be ${what}`);
  };
  need(isId(a.associationId), 'associationId', `a string of 1-${MAX_ID_LENGTH} characters`);
  need(isId(a.associationVersion), 'associationVersion', `a string of 1-${MAX_ID_LENGTH} characters`);
  need(typeof a.documentName === 'string' && a.documentName.length > 0, 'documentName', 'a non-empty string');
  need(typeof a.documentVersion === 'string', 'documentVersion', 'a string');
  need(isObject(a.document), 'document', 'the document\'s JSON object');
  need(isObject(a.parameters), 'parameters', 'an object');
  need(a.secrets === undefined || isObject(a.secrets), 'secrets', 'an object when present');
  need(a.associationName === undefined || typeof a.associationName === 'string', 'associationName', 'a string when present');
  need(a.scheduleExpression === undefined || typeof a.scheduleExpression === 'string', 'scheduleExpression', 'a string when present');
  need(a.scheduleOffset === undefined || typeof a.scheduleOffset === 'number', 'scheduleOffset', 'a number when present');
  need(typeof a.applyOnlyAtCronInterval === 'boolean', 'applyOnlyAtCronInterval', 'true or false');
  need(typeof a.changedAt === 'string' && !Number.isNaN(Date.parse(a.changedAt)), 'changedAt', 'an ISO 8601 time');
  need(a.syncCompliance === 'AUTO' || a.syncCompliance === 'MANUAL', 'syncCompliance', 'AUTO or MANUAL');
  need(a.complianceSeverity === undefined || SEVERITIES.includes(a.complianceSeverity), 'complianceSeverity', SEVERITIES.join(', '));
  need(
    a.executionTimeoutSeconds === undefined || (Number.isInteger(a.executionTimeoutSeconds) && a.executionTimeoutSeconds > 0),
    'executionTimeoutSeconds',
    'a whole number of seconds above 0 when present',
  );
  if (problems.length > 0) return problems;
  // What the runner will check when the association runs as a command, checked now instead (sealed secrets' shape).
  const asCommand = { commandId: 'association', documentName: a.documentName, document: a.document, parameters: a.parameters, ...(a.secrets !== undefined ? { secrets: a.secrets } : {}), receivedAt: a.changedAt };
  problems.push(...commandProblems(asCommand).map((problem) => `${name}: ${problem}`));
  try {
    validateAssociationSchedule({ ScheduleExpression: a.scheduleExpression, ApplyOnlyAtCronInterval: a.applyOnlyAtCronInterval, ScheduleOffset: a.scheduleOffset });
  } catch (error) {
    problems.push(`${name}: its schedule is not usable: ${(error as Error).message}`);
  }
  try {
    parseDocument(JSON.stringify(a.document), { name: a.documentName as string });
  } catch (error) {
    problems.push(`${name}: its document ${a.documentName} is not usable: ${(error as Error).message}`);
  }
  return problems;
}

/**
 * The set as the agent will store it, or InvalidAssociationsError listing every problem found. Checked: the
 * shape, the revision, unique association ids, each schedule (State Manager's rules, as CreateAssociation checks
 * them) and each document (it must parse; its parameters are checked when it runs, as a command's are).
 */
export function parseAssociationsBody(body: unknown): AssociationsBody {
  if (!isObject(body)) throw new InvalidAssociationsError(['the body is not an object']);
  const problems: string[] = [];
  const { revision, associations } = body;
  if (!Number.isSafeInteger(revision) || (revision as number) < 0) problems.push('revision must be a whole number of 0 or more');
  if (!Array.isArray(associations)) {
    problems.push('associations must be a list');
    throw new InvalidAssociationsError(problems);
  }
  if (associations.length > MAX_ASSOCIATIONS_PER_INSTANCE) problems.push(`a set holds at most ${MAX_ASSOCIATIONS_PER_INSTANCE} associations, not ${associations.length}`);
  const seen = new Set<string>();
  associations.forEach((association, index) => {
    problems.push(...associationProblems(association, index));
    const id = (association as { associationId?: unknown } | null)?.associationId;
    if (typeof id === 'string') {
      if (seen.has(id)) problems.push(`association ${id} appears twice`);
      seen.add(id);
    }
  });
  if (problems.length > 0) throw new InvalidAssociationsError(problems);
  return { revision: revision as number, associations: associations as AssociationBody[] };
}
