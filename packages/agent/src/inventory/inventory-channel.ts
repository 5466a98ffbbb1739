import type { Logger } from '@tender/plugin-api';
import type { InventoryAckBody } from '@tender/protocol';
import type { Agent } from '../runtime/agent.js';
import type { InventoryUploader } from './inventory-uploader.js';

/** Inventory over the wire: `inventory-ack` reaches the uploader; every reconnect resends what is pending. */
export class InventoryChannel {
  constructor(agent: Agent, uploader: InventoryUploader, logger: Logger) {
    agent.on('inventory-ack', async (message) => {
      const body = message.body as InventoryAckBody;
      if (typeof body?.uploadId !== 'string' || !Array.isArray(body.accepted) || !Array.isArray(body.mismatched)) {
        logger.warn('an inventory-ack without uploadId, accepted and mismatched; ignored');
        return;
      }
      await uploader.acknowledge(body);
    });
    agent.onConnected(() => uploader.reconnected());
  }
}
