import type { Parameter, ParameterHistory, ParameterMetadata } from '@aws-sdk/client-ssm';

/** What the tables show instead of a SecureString's ciphertext when it was read without --with-decryption. */
export const HIDDEN_VALUE = '(encrypted: --with-decryption)';

/** `Key=Value` (the value may contain '='); for --tag. */
export function parseTag(text: string): { Key: string; Value: string } {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`--tag ${JSON.stringify(text)} must be Key=Value`);
  return { Key: text.slice(0, at), Value: text.slice(at + 1) };
}

/**
 * The value a human sees: a SecureString read without decryption is the ciphertext blob, which is noise in a
 * table, so it is replaced by a hint (--json keeps what the API returned).
 */
export function shownValue(item: Pick<Parameter, 'Type' | 'Value'>, decrypted: boolean): string | undefined {
  return item.Type === 'SecureString' && !decrypted ? HIDDEN_VALUE : item.Value;
}

export function parameterRow(p: Parameter, decrypted: boolean): Record<string, unknown> {
  return { Name: p.Name, Type: p.Type, Version: p.Version, LastModified: p.LastModifiedDate, Value: shownValue(p, decrypted) };
}

export function historyRow(h: ParameterHistory, decrypted: boolean): Record<string, unknown> {
  return {
    Version: h.Version,
    Type: h.Type,
    LastModified: h.LastModifiedDate,
    User: h.LastModifiedUser,
    Labels: h.Labels?.length ? h.Labels.join(',') : undefined,
    Value: shownValue(h, decrypted),
  };
}

export function metadataRow(m: ParameterMetadata): Record<string, unknown> {
  return { Name: m.Name, Type: m.Type, Version: m.Version, Tier: m.Tier, LastModified: m.LastModifiedDate, KeyId: m.KeyId, Description: m.Description };
}

/** Tender.CreateKey / ListKeys / RotateKey answer with KMS-shaped key metadata (times in epoch seconds). */
export interface KeyMetadata {
  KeyId: string;
  Arn: string;
  Description?: string;
  CreationDate: number;
  Enabled: boolean;
  KeyState: string;
  Aliases: Array<{ AliasName: string; AliasArn: string }>;
  CurrentKeyVersion: number;
  KeyVersions: number;
  LastRotationDate?: number;
}

export function keyRow(k: KeyMetadata): Record<string, unknown> {
  const time = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());
  return {
    KeyId: k.KeyId,
    Aliases: k.Aliases.map((a) => a.AliasName).join(',') || undefined,
    Version: `${k.CurrentKeyVersion}/${k.KeyVersions}`,
    Created: time(k.CreationDate),
    Rotated: time(k.LastRotationDate),
    Description: k.Description || undefined,
  };
}

/** Read all of stdin (for a value piped in). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One trailing newline, as `echo` and editors add, is not part of a value read from a file or a pipe. */
export function withoutFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}
