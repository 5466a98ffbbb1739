/**
 * The parsed, validated shape of a command document: what the control plane stores and describes, what the
 * agent's runner walks step by step. Schema 1.2's runtimeConfig and 2.x's mainSteps both become `steps`, so
 * nothing downstream needs to know which schema a document was written in.
 *
 * Automation (0.3) and Session (1.0) documents will get their own models beside this one; `documentType` is
 * the discriminant they will share.
 */
import type { JsonObject, JsonValue } from './json-value.js';

/** SSM's DocumentType values that this package parses today. */
export type CommandDocumentType = 'Command' | 'Policy';

/** SSM's DocumentType values in general (the API's enum, minus types that are not step documents). */
export type DocumentType = CommandDocumentType | 'Automation' | 'Session';

export type DocumentFormat = 'JSON' | 'YAML';

export type CommandSchemaVersion = '1.2' | '2.0' | '2.2';

/** Parameter types. `Array`, an early alias of StringList still found in 1.2 documents, is read as StringList. */
export type ParameterType = 'String' | 'StringList' | 'Integer' | 'Boolean' | 'StringMap' | 'MapList';

export type DisplayType = 'textarea' | 'textfield';

/** With ENV_VAR, script steps receive the value as the environment variable `SSM_<name>` instead of spliced text. */
export type InterpolationType = 'ENV_VAR';

export interface ParameterDefinition {
  name: string;
  type: ParameterType;
  /** The type as written, e.g. `Array` where `type` says StringList. */
  declaredType: string;
  description?: string;
  /**
   * The default as written (a `{{ssm:name}}` reference is kept as written). Absent means the parameter is
   * required; SSM treats `"default": null` the same way.
   */
  default?: JsonValue;
  allowedValues?: string[];
  /** An RE2-style regular expression; already checked to compile. An empty pattern is treated as absent. */
  allowedPattern?: string;
  minItems?: number;
  maxItems?: number;
  minChars?: number;
  maxChars?: number;
  displayType?: DisplayType;
  interpolationType?: InterpolationType;
}

/**
 * A step precondition: operator → arguments. SSM supports one operator, StringEquals with two arguments, e.g.
 * `{ StringEquals: ['platformType', 'Linux'] }` or `{ StringEquals: ['{{ Mode }}', 'fast'] }`.
 */
export type Precondition = Readonly<Record<string, readonly string[]>>;

export interface Step {
  /** 2.x: the step's `name`. 1.2: the plugin name (e.g. `aws:runShellScript`), see README for several properties. */
  name: string;
  /** The plugin to run, e.g. `aws:runShellScript`. Unknown actions are not an error here; the agent reports them. */
  action: string;
  /**
   * 2.x: the step's inputs. 1.2: the plugin's properties (one element of a properties list; a properties string,
   * as aws:cloudWatch writes it, becomes `{ properties: "<string>" }`).
   */
  inputs: JsonObject;
  /** The plugin's `settings`, if the document gives any. */
  settings?: JsonValue;
  /** Schema 2.2 only. */
  precondition?: Precondition;
  /** From `inputs.onFailure` (SSM's shared inputs): stop the document after this step fails. */
  onFailure?: 'exit' | 'successAndExit';
  /** From `inputs.onSuccess`: stop the document after this step succeeds. */
  onSuccess?: 'exit';
  /** From `inputs.finallyStep`: runs even after an earlier step stopped the document. Only the last step. */
  finallyStep?: boolean;
  /** Step-level `timeoutSeconds` when the document gives one above 0 (see stepTimeoutSeconds for the rules). */
  timeoutSeconds?: number;
  /**
   * Set by interpolate() on script steps: `SSM_<name>` for every parameter with interpolationType ENV_VAR.
   * The runner adds these to the step's process environment.
   */
  env?: Readonly<Record<string, string>>;
}

export interface CommandDocument {
  documentType: CommandDocumentType;
  /** The name the caller gave (the SSM document name); used in every error message. */
  name: string;
  /** The format the text was written in (detected when the caller did not say). */
  format: DocumentFormat;
  schemaVersion: CommandSchemaVersion;
  description?: string;
  parameters: Readonly<Record<string, ParameterDefinition>>;
  steps: readonly Step[];
  /** Distinct actions in order of first use. */
  actions: readonly string[];
  /**
   * Distinct Parameter Store references in order of first appearance, written without braces or spaces, e.g.
   * `ssm:/app/db-host`, `ssm:name:3`, `ssm-secure:db-password`. The control plane resolves these at dispatch.
   */
  references: readonly string[];
  /** The document as read, converted to JSON values: what GetDocument returns in JSON form. */
  content: JsonObject;
}
