import type { MqttClient } from 'mqtt';
import { formatHomieValue, gridflexNodeType, homieTopics } from '../../../protocol/homie.js';
import { connectClient } from '../mqtt-helpers.js';

/** An EV pad board speaking Homie by hand (a real MQTT client with the board's own credentials). */
export class FakePad {
  private constructor(
    readonly client: MqttClient,
    readonly deviceId: string,
  ) {}

  static async connect(url: string, deviceId: string, password: string, plot: string): Promise<FakePad> {
    const client = await connectClient(url, {
      clientId: deviceId,
      username: deviceId,
      password,
      will: { topic: homieTopics.state(deviceId), payload: Buffer.from('lost'), qos: 1, retain: true },
    });
    const pad = new FakePad(client, deviceId);
    await pad.publish(homieTopics.state(deviceId), 'init');
    const description = {
      homie: '5.0',
      version: 1,
      nodes: {
        'ev-pad': {
          type: gridflexNodeType('ev-pad'),
          properties: {
            'plot-id': { datatype: 'string' },
            present: { datatype: 'boolean' },
            'ev-id': { datatype: 'string' },
            'tag-uid': { datatype: 'string' },
            'soc-pct': { datatype: 'float', settable: true },
          },
        },
      },
    };
    await pad.publish(homieTopics.description(deviceId), JSON.stringify(description));
    await pad.value('plot-id', plot);
    await pad.value('present', false);
    await pad.publish(homieTopics.state(deviceId), 'ready');
    return pad;
  }

  /** The pad reads an EV's tag (or loses it with `null`). */
  async holds(evId: string | null): Promise<void> {
    await this.value('ev-id', evId ?? '');
    await this.value('present', evId !== null);
  }

  async value(propertyId: string, value: string | boolean | number): Promise<void> {
    await this.publish(homieTopics.property(this.deviceId, 'ev-pad', propertyId), formatHomieValue(value));
  }

  private async publish(topic: string, payload: string): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain: true });
  }
}
