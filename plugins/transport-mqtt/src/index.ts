import { definePlugin } from '@tender/plugin-api';
import { MqttTransport } from './mqtt-transport.js';

export { MqttTransport, parseSettings, type MqttSettings } from './mqtt-transport.js';
export { Backoff, type BackoffOptions } from './backoff.js';

export default definePlugin({
  name: '@tender/transport-mqtt',
  transports: {
    mqtt: {
      description: 'Tender control plane through any MQTT 3.1.1 broker (embedded aedes, Mosquitto, ...)',
      create: (context) => new MqttTransport(context),
    },
  },
});
