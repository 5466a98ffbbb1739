import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import { byKey, type SortKey } from '../api/pagination.js';
import type { Tag } from '../api/validate.js';
import type { Store, Table } from '../store/store.js';

/** A hybrid activation: the one-time secret that lets up to RegistrationLimit hosts register. */
export interface ActivationRecord {
  ActivationId: string;
  Description?: string;
  DefaultInstanceName?: string;
  IamRole: string;
  RegistrationLimit: number;
  RegistrationsCount: number;
  ExpirationDate: string;
  CreatedDate: string;
  Tags: Tag[];
  /** sha256 of the activation code: the code itself is shown once, at creation, and never stored. */
  codeHash: string;
}

export interface NewActivation {
  Description?: string;
  DefaultInstanceName?: string;
  IamRole: string;
  RegistrationLimit: number;
  ExpirationDate: Date;
  Tags: Tag[];
}

/** Why a registration was refused; each has its own clear message. */
export class RegistrationRefused extends ApiError {
  constructor(
    readonly reason: 'unknown-activation' | 'wrong-code' | 'expired' | 'limit-reached' | 'throttled',
    message: string,
  ) {
    super(reason === 'throttled' ? 'ThrottlingException' : 'InvalidActivation', message);
  }
}

const hash = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');

/** Oldest first, ties by id; DescribeActivations' NextToken holds the last activation shown. */
export function listingOrder(record: ActivationRecord): SortKey {
  return [record.CreatedDate, record.ActivationId];
}

export class ActivationService {
  private readonly table: Table<ActivationRecord>;

  constructor(
    store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.table = store.table<ActivationRecord>('activations');
  }

  async create(request: NewActivation): Promise<{ ActivationId: string; ActivationCode: string }> {
    const ActivationId = randomUUID();
    // 20 characters, like SSM's codes: 120 bits from a URL-safe alphabet, easy to paste into a shell.
    const ActivationCode = randomBytes(15).toString('base64url');
    const record: ActivationRecord = {
      ActivationId,
      ...(request.Description !== undefined ? { Description: request.Description } : {}),
      ...(request.DefaultInstanceName !== undefined ? { DefaultInstanceName: request.DefaultInstanceName } : {}),
      IamRole: request.IamRole,
      RegistrationLimit: request.RegistrationLimit,
      RegistrationsCount: 0,
      ExpirationDate: request.ExpirationDate.toISOString(),
      CreatedDate: this.now().toISOString(),
      Tags: request.Tags,
      codeHash: hash(ActivationCode),
    };
    await this.table.put(ActivationId, record);
    return { ActivationId, ActivationCode };
  }

  /** Every activation, oldest first (listingOrder: DescribeActivations pages by it). */
  async list(): Promise<ActivationRecord[]> {
    return (await this.table.list()).sort(byKey(listingOrder));
  }

  async get(activationId: string): Promise<ActivationRecord | undefined> {
    return this.table.get(activationId);
  }

  isExpired(record: ActivationRecord): boolean {
    return Date.parse(record.ExpirationDate) <= this.now().getTime();
  }

  async delete(activationId: string): Promise<boolean> {
    return this.table.delete(activationId);
  }

  /**
   * Check the code and take one registration from the activation, atomically, so concurrent registrations
   * can never exceed the limit. Returns the activation as it was used.
   */
  async claim(activationId: string, code: string): Promise<ActivationRecord> {
    const claimed = await this.table.update(activationId, (current) => {
      if (!current) throw new RegistrationRefused('unknown-activation', `activation ${activationId} does not exist (or was deleted)`);
      const expected = Buffer.from(current.codeHash, 'hex');
      const given = Buffer.from(hash(code), 'hex');
      if (!timingSafeEqual(expected, given)) {
        throw new RegistrationRefused('wrong-code', `the activation code does not match activation ${activationId}: check it for typos`);
      }
      if (this.isExpired(current)) {
        throw new RegistrationRefused('expired', `activation ${activationId} expired at ${current.ExpirationDate}: create a new activation`);
      }
      if (current.RegistrationsCount >= current.RegistrationLimit) {
        throw new RegistrationRefused(
          'limit-reached',
          `activation ${activationId} has reached its registration limit of ${current.RegistrationLimit}: create a new activation or deregister an instance`,
        );
      }
      return { ...current, RegistrationsCount: current.RegistrationsCount + 1 };
    });
    if (!claimed) throw new RegistrationRefused('unknown-activation', `activation ${activationId} does not exist`);
    return claimed;
  }

  /** Give a registration back when the rest of registering failed, so the attempt costs nothing. */
  async release(activationId: string): Promise<void> {
    await this.table.update(activationId, (current) =>
      current ? { ...current, RegistrationsCount: Math.max(0, current.RegistrationsCount - 1) } : undefined,
    );
  }
}
