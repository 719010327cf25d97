import { afterEach, describe, expect, it } from 'vitest';
import { DeviceAgent } from '../../../devices/agent.js';
import { validateDeviceConfig } from '../../../devices/config.js';
import { openSerialJsonBoard } from '../../../devices/drivers/serial-json.js';
import { HardwareError } from '../../../devices/drivers/types.js';
import { EvPadNode } from '../../../devices/kinds/ev-pad.js';
import { HeatPumpNode } from '../../../devices/kinds/heat-pump.js';
import { homieTopics } from '../../../protocol/homie.js';
import { TestBroker } from '../helpers.js';
import { FakeMcu } from './fake-mcu.js';

let portCounter = 0;
const nextPath = () => `/dev/ttyFAKE${portCounter++}`;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function open(mcu: FakeMcu, requestTimeoutMs = 2000) {
  const path = nextPath();
  const board = await openSerialJsonBoard({
    path,
    baudRate: 115_200,
    requestTimeoutMs,
    binding: mcu.binding(path),
  });
  cleanups.push(() => board.close());
  return board;
}

describe('serial-json backend (MockBinding)', () => {
  it('handshakes, then drives LEDs and reads the NFC reader the firmware polls', async () => {
    const mcu = new FakeMcu();
    const board = await open(mcu);
    const pad = new EvPadNode(
      'ev-pad-7',
      {
        kind: 'ev-pad',
        padId: 'pad-7',
        plot: 'plot-7',
        reader: { type: 'serial', reader: 0 },
        tags: { '04A1B2C3': 'ev-3' },
        ledPins: [2, 3, 4, 5],
      },
      () => {},
    );
    await pad.attach(board);
    expect(await pad.sample()).toMatchObject({ present: false, 'ev-id': '' });
    mcu.tags.set(0, '04a1b2c3');
    expect(await pad.sample()).toMatchObject({
      present: true,
      'tag-uid': '04A1B2C3',
      'ev-id': 'ev-3',
      'plot-id': 'plot-7',
    });
    await pad.set('soc-pct', 60);
    const ledWrites = mcu.requests.filter((r) => r.op === 'write').slice(-4);
    expect(ledWrites.map((r) => r.value)).toEqual([1, 1, 0, 0]);
    expect(mcu.requests[0]).toEqual({ op: 'hello', protocol: 1 });
  });

  it('shows heat-pump power on a NeoPixel strip and reads an analog temperature', async () => {
    const mcu = new FakeMcu();
    mcu.analog.set('A1', 0.5);
    const board = await open(mcu);
    const heatPump = new HeatPumpNode('heat-pump', {
      kind: 'heat-pump',
      light: { type: 'neopixel', pin: 6, count: 4 },
      maxPowerKw: 2,
      temperature: { type: 'analog', pin: 'A1', offset: 0, fullScale: 40 },
    });
    await heatPump.attach(board);
    await heatPump.set('power-kw', 1);
    expect(mcu.requests.at(-1)).toEqual({
      op: 'pixels',
      pin: 6,
      colors: ['80007f', '80007f', '000000', '000000'],
    });
    expect(await heatPump.sample()).toEqual({ 'power-kw': 1, 'temperature-c': 20 });
  });

  it('refuses firmware speaking another protocol version', async () => {
    const mcu = new FakeMcu();
    mcu.protocol = 2;
    const path = nextPath();
    await expect(
      openSerialJsonBoard({ path, baudRate: 115_200, requestTimeoutMs: 2000, binding: mcu.binding(path) }),
    ).rejects.toThrow(`serial-json: ${path} speaks protocol 2, not 1`);
  });

  it('reports firmware errors and a silent microcontroller as failures', async () => {
    const mcu = new FakeMcu();
    const board = await open(mcu, 200);
    const missing = await board.analogIn({ type: 'analog', pin: 'A3' }, 'x');
    await expect(missing.read()).rejects.toThrow('serial-json: pin A3 is not analog');
    mcu.silent = true;
    await expect(missing.read()).rejects.toThrow(HardwareError);
  });

  it('runs a device agent end to end: a tag on the pad reaches the broker as the EV ID', async () => {
    const broker = new TestBroker();
    await broker.start(0);
    cleanups.push(() => broker.stop());
    const mcu = new FakeMcu();
    const config = validateDeviceConfig(
      {
        deviceId: 'pad-board',
        broker: { url: broker.url },
        telemetryIntervalMs: 100,
        driver: { backend: 'serial-json', port: '/dev/ttyFAKE' },
        nodes: [
          {
            kind: 'ev-pad',
            padId: 'pad-2',
            plot: 'plot-2',
            reader: { type: 'serial' },
            tags: { '04A1B2C4': 'ev-4' },
          },
        ],
      },
      'pad-board.yaml',
    );
    const agent = new DeviceAgent({
      config,
      log: () => {},
      openBoard: (driver) => {
        const path = nextPath();
        if (driver.backend !== 'serial-json') throw new Error('expected serial-json');
        return openSerialJsonBoard({
          path,
          baudRate: driver.baudRate,
          requestTimeoutMs: 1000,
          binding: mcu.binding(path),
        });
      },
    });
    cleanups.push(() => agent.stop());
    const ready = broker.next(homieTopics.state('pad-board'), 'ready');
    await agent.start();
    await ready;
    const evId = homieTopics.property('pad-board', 'ev-pad', 'ev-id');
    const placed = broker.next(evId, 'ev-4');
    mcu.tags.set(0, '04A1B2C4');
    await placed;
  });
});
