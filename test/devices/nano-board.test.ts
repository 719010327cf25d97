/**
 * The shipped Nano house config, its pins named by nano-table-house.pinout.yaml, through the real
 * johnny-five driver on mock-firmata and a real broker: the hub's commands land on the pinout's pins.
 */
import { createRequire } from 'node:module';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceAgent } from '../../devices/agent.js';
import { loadDeviceConfig } from '../../devices/config.js';
import { createJohnnyFiveBoard } from '../../devices/drivers/johnny-five.js';
import { homieTopics } from '../../protocol/homie.js';
import { TestBroker } from './helpers.js';

const require = createRequire(import.meta.url);
const { Firmata: MockFirmata } = require('mock-firmata') as { Firmata: new () => MockIo };

interface MockIo {
  emit(event: string): void;
  digitalWrite(pin: number, value: number): void;
  analogWrite(pin: number, value: number): void;
  analogRead(pin: number, callback: (value: number) => void): void;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('hardware/boards/nano-table-house.yaml on the johnny-five driver (mock-firmata)', () => {
  it('drives D9 for the heat pump, D4/D7/D8/D12 for the battery bar and reads the LDR on A0', async () => {
    const broker = new TestBroker();
    await broker.start(0);
    cleanups.push(() => broker.stop());
    const io = new MockFirmata();
    const writes: string[] = [];
    const analogReporters = new Map<number, (value: number) => void>();
    io.digitalWrite = (pin, value) => void writes.push(`D${pin}=${value}`);
    io.analogWrite = (pin, value) => void writes.push(`pwm D${pin}=${value}`);
    io.analogRead = (pin, callback) => void analogReporters.set(pin, callback);

    const config = loadDeviceConfig('hardware/boards/nano-table-house.yaml');
    const agent = new DeviceAgent({
      config: { ...config, telemetryIntervalMs: 100 },
      brokerUrl: broker.url,
      log: () => {},
      openBoard: (driver) => {
        if (driver.backend !== 'johnny-five') throw new Error(`expected johnny-five, got ${driver.backend}`);
        const opening = createJohnnyFiveBoard(io, driver.port);
        io.emit('connect');
        io.emit('ready');
        return opening;
      },
    });
    cleanups.push(() => agent.stop());
    const ready = broker.next(homieTopics.state('house-5'), 'ready');
    await agent.start();
    await ready;
    // The battery starts at 50 %: the 25 % and 50 % LEDs (D4, D7) on, 75 % and 100 % (D8, D12) off.
    expect(writes.filter((w) => /^D(4|7|8|12)=/.test(w)).slice(-4)).toEqual([
      'D4=1',
      'D7=1',
      'D8=0',
      'D12=0',
    ]);

    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    cleanups.push(() => client.endAsync());
    const power = broker.next(homieTopics.property('house-5', 'heat-pump', 'power-kw'), '1.5');
    await client.publishAsync(homieTopics.set('house-5', 'heat-pump', 'power-kw'), '1.5');
    await power;
    expect(writes).toContain('pwm D9=128');

    // Full light on the LDR (A0 reads 1023 of 1023): the PV generates its 4 kW peak.
    const generating = broker.next(homieTopics.property('house-5', 'pv', 'power-kw'), '-4');
    analogReporters.get(0)?.(1023);
    await generating;
  });
});
