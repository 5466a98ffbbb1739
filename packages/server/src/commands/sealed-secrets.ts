/**
 * SecureString values for one SendCommand, held in memory only while the command is created: each target gets
 * its own copy sealed to its box key (tweetnacl box from the control plane's box key), which goes into that
 * invocation's record and its `command` message. The values themselves are never stored, logged or sent.
 */
import { fromBase64, seal, type Sealed } from '@tender/protocol';
import type { FetchedValue } from './parameter-store-references.js';

export class SecretValues {
  private readonly encoder = new TextEncoder();

  /** @param values by reference as documents list them (`ssm-secure:db/password`). */
  constructor(
    private readonly values: ReadonlyMap<string, FetchedValue>,
    private readonly senderSecretKey: Uint8Array,
  ) {}

  get size(): number {
    return this.values.size;
  }

  /** Every value sealed to one agent's box key (base64, as the instance registry holds it). */
  sealFor(recipientBoxPublicKey: string): Record<string, Sealed> {
    const recipient = fromBase64(recipientBoxPublicKey);
    const sealed: Record<string, Sealed> = {};
    for (const [reference, secret] of this.values) sealed[reference] = seal(this.encoder.encode(secret.value), recipient, this.senderSecretKey);
    return sealed;
  }
}
