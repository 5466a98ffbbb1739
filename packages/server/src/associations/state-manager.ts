/**
 * State Manager on the control plane, put together: the associations API, their delivery to agents, and the
 * executions the agents report. control-plane.ts wires it:
 *
 *   const stateManager = await startStateManager({ store, registry, documents, send, ... });
 *   gateway.on('hello', ...presence, then stateManager.delivery.onHello(instanceId));
 *   for (const [type, handler] of Object.entries(stateManager.messageHandlers)) gateway.on(type, handler);
 *   operations: [...stateManager.operations]
 */
import type { Message } from '@tender/protocol';
import type { Principal } from '../access/access-keys.js';
import type { Operation } from '../api/operation.js';
import type { CommandLogger } from '../commands/command-logger.js';
import type { ResolveReference } from '../commands/parameter-store-references.js';
import type { ComplianceRecorder } from '../compliance/compliance-recorder.js';
import type { DocumentService } from '../documents/document-service.js';
import type { InstanceRegistry } from '../instances/instance-registry.js';
import type { Store } from '../store/store.js';
import { AssociationBodies } from './association-body.js';
import { AssociationDelivery } from './association-delivery.js';
import { AssociationExecutions } from './association-executions.js';
import { AssociationService } from './association-service.js';
import { executionOperations } from './execution-operations.js';
import { ensureDefaultInventoryAssociation } from './default-inventory.js';
import { associationOperations } from './operations.js';

export interface StateManagerOptions {
  store: Store;
  registry: InstanceRegistry;
  documents: Pick<DocumentService, 'resolve' | 'arnOf'>;
  send: (instanceId: string, type: string, body: unknown) => Promise<unknown>;
  resolveReference?: ResolveReference;
  principalOf?: (accessKeyId: string) => Promise<Principal | undefined>;
  boxSecretKey?: Uint8Array;
  compliance?: ComplianceRecorder;
  now: () => Date;
  logger?: CommandLogger;
  /**
   * Create the default inventory association (default-inventory.ts) if this control plane never has. The
   * control plane passes true; tests of other things leave it out.
   */
  defaultInventory?: boolean;
  /** Delivery's resend timer (0: none; tests call delivery.tick()). */
  tickMs?: number;
  resendAfterMs?: number;
}

export interface StateManager {
  associations: AssociationService;
  delivery: AssociationDelivery;
  executions: AssociationExecutions;
  operations: Operation[];
  /** The agents' messages: `associations-ack`, `association-status`. */
  messageHandlers: Record<string, (message: Message) => Promise<void>>;
  stop(): Promise<void>;
}

export async function startStateManager(options: StateManagerOptions): Promise<StateManager> {
  const { store, registry, documents, send, now, logger } = options;
  const resolveDocument = (name: string, version?: string, hash?: string) => documents.resolve(name, version, hash);
  const associations = new AssociationService({ store, resolveDocument, instance: (id) => registry.get(id), now, ...(options.resolveReference ? { resolveReference: options.resolveReference } : {}) });
  const bodies = new AssociationBodies({ resolveDocument, resolveReference: options.resolveReference, principalOf: options.principalOf, boxSecretKey: options.boxSecretKey });
  const delivery = new AssociationDelivery({ store, associations, registry, bodies, send, now, logger, tickMs: options.tickMs, resendAfterMs: options.resendAfterMs });
  const executions = new AssociationExecutions({ store, associations, registry, send, now, logger, ...(options.compliance ? { compliance: options.compliance } : {}) });
  await delivery.start();
  await executions.start();
  if (options.defaultInventory) await ensureDefaultInventoryAssociation(store, associations, now, logger);
  return {
    associations,
    delivery,
    executions,
    operations: [...associationOperations(associations, documents), ...executionOperations(executions)],
    messageHandlers: {
      'associations-ack': (message) => delivery.onAck(message),
      'association-status': (message) => executions.onStatus(message),
    },
    stop: () => delivery.stop(),
  };
}
