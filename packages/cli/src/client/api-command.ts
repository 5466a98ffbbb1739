import { Command } from '@oclif/core';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { clientFlags, resolveClientSettings, type ClientSettings } from './client-settings.js';
import { EXIT } from './exit-codes.js';
import { ApiCallError, callTender, ssmClient } from './tender-api.js';

/** Socket and DNS errors that mean the control plane was not reached (nothing was answered). */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/**
 * Base of every command that calls the control plane's API: it resolves the endpoint and credentials, gives
 * the official SSM client and a signed caller for Tender's own operations, and turns failures into a clear
 * one-line message with a distinct exit code (3: the API refused; 4: unreachable; 1: anything else).
 */
export abstract class ApiCommand extends Command {
  static override baseFlags = clientFlags;
  protected settings!: ClientSettings;
  private client: SSMClient | undefined;

  protected async connect(flags: { endpoint?: string; 'data-dir': string; profile?: string; region?: string }): Promise<void> {
    try {
      this.settings = await resolveClientSettings(flags);
    } catch (error) {
      this.error((error as Error).message, { exit: EXIT.failure });
    }
  }

  protected get ssm(): SSMClient {
    this.client ??= ssmClient(this.settings);
    return this.client;
  }

  protected tender<T>(operation: string, input: object = {}): Promise<T> {
    return callTender<T>(this.ssm, this.settings, operation, input);
  }

  protected printJson(value: unknown): void {
    this.log(JSON.stringify(value, null, 2));
  }

  protected override async catch(error: Error & { exitCode?: number; code?: string; $metadata?: unknown; oclif?: unknown }): Promise<unknown> {
    if (error.oclif) return super.catch(error);
    if (error instanceof ApiCallError) {
      return this.error(error.unreachable ? error.message : `${error.code}: ${error.message}`, { exit: error.unreachable ? EXIT.unreachable : EXIT.apiError });
    }
    // Network failures first: the AWS SDK puts $metadata on those too, and they are not the API's answer.
    if ((error.code !== undefined && NETWORK_ERRORS.has(error.code)) || error.name === 'TimeoutError' || /ECONNREFUSED|ENOTFOUND|fetch failed/.test(error.message)) {
      return this.error(`cannot reach the control plane at ${this.settings?.endpoint}: ${error.message}`, { exit: EXIT.unreachable });
    }
    if (error.$metadata) return this.error(`${error.name}: ${error.message}`, { exit: EXIT.apiError }); // an AWS SDK service error
    return super.catch(error);
  }
}
