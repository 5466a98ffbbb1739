/**
 * SecureString values for one SendCommand, held in memory only while the command is created: each target gets
 * its own copy sealed to its box key (tweetnacl box from the control plane's box key), which goes into that
 * invocation's record and its `command` message. The values themselves are never stored, logged or sent.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createSealer, fromBase64, type Sealed } from '@tender/protocol';
import type { FetchedValue } from './parameter-store-references.js';

/** Sealing costs about a millisecond per target: the event loop gets a turn after this many, so a large fan-out never stalls the broker. */
const SEALS_PER_TURN = 50;

export class SecretValues {
  private readonly encoded: ReadonlyArray<readonly [string, Uint8Array]>;
  private readonly seal: ReturnType<typeof createSealer>;

  /** @param values by reference as documents list them (`ssm-secure:db/password`). */
  constructor(values: ReadonlyMap<string, FetchedValue>, senderSecretKey: Uint8Array) {
    const encoder = new TextEncoder();
    this.encoded = [...values].map(([reference, secret]) => [reference, encoder.encode(secret.value)] as const);
    this.seal = createSealer(senderSecretKey);
  }

  /** Every value sealed to one agent's box key (base64, as the instance registry holds it). Throws on an unusable key. */
  sealFor(recipientBoxPublicKey: string): Record<string, Sealed> {
    const recipient = fromBase64(recipientBoxPublicKey);
    const sealed: Record<string, Sealed> = {};
    for (const [reference, value] of this.encoded) sealed[reference] = this.seal(value, recipient);
    return sealed;
  }

  /**
   * Seals to each target by its box key; a target whose key cannot be sealed to (unknown instance, a key no one
   * should trust) gets nothing and is reported through `skipped`: its agent then fails the run, saying so.
   */
  async sealForEach<T>(targets: readonly T[], boxPublicKeyOf: (target: T) => string | undefined, into: (target: T, sealed: Record<string, Sealed>) => void, skipped: (target: T, why: string) => void): Promise<void> {
    for (const [index, target] of targets.entries()) {
      if (index > 0 && index % SEALS_PER_TURN === 0) await nextTurn();
      const key = boxPublicKeyOf(target);
      if (key === undefined) continue;
      try {
        into(target, this.sealFor(key));
      } catch (error) {
        skipped(target, (error as Error).message);
      }
    }
  }

  /** Drops the values (best effort: the strings the Parameter Store returned are the caller's to drop). */
  wipe(): void {
    for (const [, value] of this.encoded) value.fill(0);
  }
}
