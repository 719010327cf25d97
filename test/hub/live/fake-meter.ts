import type { MqttClient } from 'mqtt';
import {
  formatHomieValue,
  GRIDFLEX_READINGS_EXTENSION,
  gridflexNodeType,
  homieTopics,
} from '../../../protocol/homie.js';
import { connectClient } from '../mqtt-helpers.js';
import { addDevice, type HubProcess, startHub, writeTestMap } from './hub-process.js';

/** A meter board (a `meter` node and a `plot` node) speaking Homie by hand, with the board's own credentials. */
export class FakeMeter {
  private constructor(
    readonly client: MqttClient,
    readonly deviceId: string,
  ) {}

  /** Connects, describes a meter whose `power-kw` `$format` is `format`, says it sits on `plot`, and is ready. */
  static async connect(
    url: string,
    deviceId: string,
    password: string,
    plot: string,
    format = '-10:10',
  ): Promise<FakeMeter> {
    const client = await connectClient(url, { clientId: deviceId, username: deviceId, password });
    const meter = new FakeMeter(client, deviceId);
    await meter.publish(homieTopics.state(deviceId), 'init', true);
    const description = {
      homie: '5.0',
      version: 1,
      extensions: [GRIDFLEX_READINGS_EXTENSION],
      nodes: {
        meter: {
          type: gridflexNodeType('meter'),
          properties: { 'power-kw': { datatype: 'float', unit: 'kW', format } },
        },
        plot: { type: gridflexNodeType('plot'), properties: { 'plot-id': { datatype: 'string' } } },
      },
    };
    await meter.publish(homieTopics.description(deviceId), JSON.stringify(description), true);
    await meter.movedTo(plot);
    await meter.publish(homieTopics.state(deviceId), 'ready', true);
    return meter;
  }

  /** The board's plot node reads another plot (`''`: off the table). */
  movedTo(plot: string): Promise<void> {
    return this.publish(homieTopics.property(this.deviceId, 'plot', 'plot-id'), formatHomieValue(plot), true);
  }

  /** One `power-kw` reading (a string stands for a broken sensor's output). */
  reading(value: number | string): Promise<void> {
    return this.publish(
      homieTopics.property(this.deviceId, 'meter', 'power-kw'),
      formatHomieValue(value),
      false,
    );
  }

  /** The same reading on `$readings`, taken at `ts` (epoch ms) on the board's clock. */
  record(value: number, ts: number, seq: number): Promise<void> {
    const body = { node: 'meter', property: 'power-kw', value, ts, seq };
    return this.publish(homieTopics.readings(this.deviceId), JSON.stringify(body), false);
  }

  end(): void {
    this.client.end(true);
  }

  private async publish(topic: string, payload: string, retain: boolean): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }
}

/** A hub on the test map (`dataDir`, one step every `stepMs`) with meter board `meter-3` ready on plot-3. */
export async function startMeterHub(
  dataDir: string,
  stepMs: number,
): Promise<{ hub: HubProcess; meter: FakeMeter }> {
  const map = writeTestMap(dataDir);
  const { password } = addDevice(dataDir, 'meter-3', 'meter', 'plot-3', 'mqtt://127.0.0.1:1', [
    '--scenario',
    map,
  ]);
  const hub = await startHub(['--scenario', map, '--data-dir', dataDir, '--step-ms', `${stepMs}`]);
  const meter = await FakeMeter.connect(hub.mqttUrl, 'meter-3', password, 'plot-3');
  return { hub, meter };
}
