/**
 * `{{ssm-secure:...}}` on the agent. The control plane sends each SecureString value a command needs sealed to
 * this agent's box key (Command.secrets); the command files keep them sealed. A value is opened in memory only,
 * just before a step that uses it runs, and put where its reference is in that step's inputs and environment
 * (an ENV_VAR parameter's SSM_<name> variable included), so the action gets the value and nothing else does:
 * not the command files, the progress and result messages, nor the logs.
 */
import { collectParameterStoreReferences, replaceParameterStoreReferences, type JsonObject, type ParameterStoreValue, type Step } from '@tender/documents';
import { unseal, type Sealed } from '@tender/protocol';

/** Opens a value the control plane sealed to this agent: its text, or undefined when it does not open. */
export type SecretOpener = (sealed: Sealed) => string | undefined;

/** The opener for this agent: its box secret key, and the control plane's box public key pinned at registration. */
export function secretOpener(controlPlaneBoxPublicKey: Uint8Array, agentBoxSecretKey: Uint8Array): SecretOpener {
  const decoder = new TextDecoder();
  return (sealed) => {
    const opened = unseal(sealed, controlPlaneBoxPublicKey, agentBoxSecretKey);
    return opened === null ? undefined : decoder.decode(opened);
  };
}

/** The `ssm-secure:` references a step hands to its action (inputs and environment), without braces. */
function secureReferencesIn(step: Step): string[] {
  const references: string[] = [];
  collectParameterStoreReferences(step.inputs, references);
  if (step.env !== undefined) collectParameterStoreReferences(Object.values(step.env), references);
  return references.filter((reference) => reference.startsWith('ssm-secure:'));
}

/** Opens what these references need; a sentence saying what is wrong when one is missing or does not open. */
function openAll(references: readonly string[], secrets: Readonly<Record<string, Sealed>> | undefined, open: SecretOpener | undefined): Map<string, ParameterStoreValue> | string {
  const values = new Map<string, ParameterStoreValue>();
  for (const reference of references) {
    const sealed = secrets !== undefined && Object.hasOwn(secrets, reference) ? secrets[reference] : undefined;
    if (sealed === undefined) return `The control plane sent no sealed value for {{${reference}}}, so the steps that use it cannot run.`;
    const value = open?.(sealed);
    if (value === undefined) {
      return `The sealed value of {{${reference}}} does not open with this agent's key: it was sealed to another key (was this instance registered again after the command was sent?) or it was altered. Send the command again.`;
    }
    values.set(reference, { name: reference.slice('ssm-secure:'.length), type: 'SecureString', value });
  }
  return values;
}

/**
 * Before anything runs: every secret the steps use is there and opens (the values are dropped again).
 * @returns undefined when they do, else the reason the command fails.
 */
export function checkSecrets(steps: readonly Step[], secrets: Readonly<Record<string, Sealed>> | undefined, open: SecretOpener | undefined): string | undefined {
  const opened = openAll([...new Set(steps.flatMap(secureReferencesIn))], secrets, open);
  return typeof opened === 'string' ? opened : undefined;
}

/** The step as its action gets it: its `{{ssm-secure:...}}` references replaced by their values, in memory only. */
export function revealSecrets(step: Step, secrets: Readonly<Record<string, Sealed>> | undefined, open: SecretOpener | undefined): Step | { error: string } {
  const references = secureReferencesIn(step);
  if (references.length === 0) return step;
  const values = openAll(references, secrets, open);
  if (typeof values === 'string') return { error: values };
  const where = { document: step.name, place: `step ${step.name}` };
  const revealed: Step = { ...step, inputs: replaceParameterStoreReferences(step.inputs, values, where) as JsonObject };
  if (step.env !== undefined) {
    revealed.env = Object.fromEntries(Object.entries(step.env).map(([name, value]) => [name, replaceParameterStoreReferences(value, values, where) as string]));
  }
  return revealed;
}
