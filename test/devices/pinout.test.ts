/**
 * Device configs that name their board's pinout: pins resolved by name, disagreements refused, and the
 * real agent process started from shipped configs on the simulated backend.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceConfigError, loadDeviceConfig } from '../../devices/config.js';
import { HomieDescriptionSchema, homieTopics } from '../../protocol/homie.js';
import { AgentProcess, TestBroker, writeConfig } from './helpers.js';

const FIXTURES = 'test/hub/hardware/fixtures';

function problemsOf(file: string): { file: string; problems: string[] } {
  try {
    loadDeviceConfig(file);
  } catch (error) {
    if (!(error instanceof DeviceConfigError)) throw error;
    return { file: error.file, problems: error.problems };
  }
  throw new Error(`expected ${file} to be refused`);
}

describe('device config with a board pinout', () => {
  it('resolves the Nano config’s pin names to Firmata pins', () => {
    const config = loadDeviceConfig('hardware/boards/nano-table-house.yaml');
    expect(config.nodes).toMatchObject([
      { kind: 'plot', plot: 'plot-5' },
      { kind: 'pv', sensor: { type: 'analog', pin: 'A0' } },
      { kind: 'heat-pump', light: { type: 'pwm', pin: 9 }, temperature: { type: 'analog', pin: 'A1' } },
      { kind: 'battery', ledPins: [4, 7, 8, 12] },
    ]);
  });

  it('resolves ADC channel names to the ADS1115’s address and channel on the Pi', () => {
    const config = loadDeviceConfig('hardware/boards/pi-zero-table-house.yaml');
    expect(config.nodes[1]).toMatchObject({
      kind: 'pv',
      sensor: { type: 'ads1115', address: 0x48, channel: 0 },
    });
    expect(config.nodes[2]).toMatchObject({
      light: { type: 'pwm', pin: 18 },
      temperature: { type: 'ads1115', address: 0x48, channel: 1 },
    });
    expect(config.nodes[3]).toMatchObject({ ledPins: [5, 6, 13, 19, 26] });
  });

  it('refuses a config that disagrees with its pinout, naming the config file and each path', () => {
    const { file, problems } = problemsOf(`${FIXTURES}/disagrees.yaml`);
    expect(file).toBe(`${FIXTURES}/disagrees.yaml`);
    expect(problems).toContain(
      'nodes.1.light.pin: led-a (GPIO5) is wired as digital-out on board ok-board, not pwm (ok.pinout.yaml)',
    );
    expect(problems).toHaveLength(7);
  });

  it('refuses a pinout with a finding or a pinout it cannot read, naming the pinout file', () => {
    const base = {
      deviceId: 'x',
      broker: { url: 'mqtt://127.0.0.1:1883' },
      driver: { backend: 'linux' },
      nodes: [{ kind: 'battery', ledPins: ['led-a'] }],
    };
    const twice = problemsOf(
      writeConfig({ ...base, board: join(process.cwd(), FIXTURES, 'pin-twice.pinout.yaml') }),
    );
    expect(twice.file).toBe(join(process.cwd(), FIXTURES, 'pin-twice.pinout.yaml'));
    expect(twice.problems).toEqual(['wiring.3.pin: pin GPIO5 is used twice: already wiring.2 (led-a)']);
    const missing = problemsOf(writeConfig({ ...base, board: 'nowhere.pinout.yaml' }));
    expect(missing.file).toMatch(/nowhere\.pinout\.yaml$/);
    expect(missing.problems).toEqual(['cannot read: ENOENT']);
  });

  it('says a pin name needs a board when the config has none', () => {
    const { problems } = problemsOf(
      writeConfig({
        deviceId: 'x',
        broker: { url: 'mqtt://127.0.0.1:1883' },
        nodes: [{ kind: 'battery', ledPins: ['led-a'] }],
      }),
    );
    expect(problems).toEqual([
      'nodes.0.ledPins.0: a pin number, or a pin name from the board pinout named by `board`',
    ]);
  });
});

describe('gridflex-device from a shipped config that uses its pinout (simulated backend)', () => {
  let broker: TestBroker;
  const agents: AgentProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'gridflex-data-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  beforeEach(async () => {
    broker = new TestBroker();
    await broker.start(0);
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.kill()));
    await broker.stop();
  });

  /** `gridflex device add pads-4-5 --from` the shipped ESP32 pad board; returns the config file it wrote. */
  const addEsp32Pads = (): string => {
    const add = spawnSync(
      process.execPath,
      [
        'dist/hub/cli.js',
        'device',
        'add',
        'pads-4-5',
        '--from',
        'hardware/boards/esp32-ev-pad.yaml',
        // Each test adds the same board to the shared data dir: the second replaces the first on purpose.
        '--force',
        '--data-dir',
        dataDir,
        '--broker-url',
        broker.url,
      ],
      { encoding: 'utf8' },
    );
    expect(add.status, add.stderr).toBe(0);
    return add.stdout.trim();
  };

  it('runs hardware/boards/nano-table-house.yaml with --simulate and obeys /set', async () => {
    const ready = broker.next(homieTopics.state('house-5'), 'ready');
    const agent = AgentProcess.spawn([
      '--config',
      'hardware/boards/nano-table-house.yaml',
      '--simulate',
      '--broker',
      broker.url,
    ]);
    agents.push(agent);
    await ready;
    const [description] = broker.on(homieTopics.description('house-5'));
    const parsed = HomieDescriptionSchema.parse(JSON.parse(description?.payload ?? ''));
    // The board's nodes, their Electrification Bus capabilities (devices/ebus.ts), the agent's.
    expect(Object.keys(parsed.nodes ?? {})).toEqual([
      'plot',
      'pv',
      'heat-pump',
      'battery',
      'meter',
      'heat-pump-meter',
      'battery-meter',
      'soc',
      'agent',
    ]);
    const power = broker.next(homieTopics.property('house-5', 'heat-pump', 'power-kw'), '1.5');
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    try {
      await client.publishAsync(homieTopics.set('house-5', 'heat-pump', 'power-kw'), '1.5');
      await power;
    } finally {
      await client.endAsync();
    }
  });

  it('runs the ESP32 pad config registered with `gridflex device add --from`', async () => {
    const configFile = addEsp32Pads();
    expect(configFile).toBe(join(dataDir, 'devices', 'pads-4-5.yaml'));
    expect(loadDeviceConfig(configFile).nodes.map((node) => node.kind === 'ev-pad' && node.ledPins)).toEqual([
      [16, 17, 21, 22],
      [25, 26, 32, 33],
    ]);
    const ready = broker.next(homieTopics.state('pads-4-5'), 'ready');
    agents.push(AgentProcess.spawn(['--config', configFile, '--simulate']));
    await ready;
    const [description] = broker.on(homieTopics.description('pads-4-5'));
    const parsed = HomieDescriptionSchema.parse(JSON.parse(description?.payload ?? ''));
    expect(Object.keys(parsed.nodes ?? {})).toEqual(['ev-pad-4', 'ev-pad-5', 'soc', 'ev-pad-5-soc', 'agent']);
  });

  it('plays a scripted sim events file with --simulate EVENTS: an EV placed on pad 4', async () => {
    const configFile = addEsp32Pads();
    const evId = homieTopics.property('pads-4-5', 'ev-pad-4', 'ev-id');
    const placed = broker.next(evId, 'ev-3');
    const agent = AgentProcess.spawn(['--config', configFile, '--simulate', 'hardware/sim/ev-on-pad-4.yaml']);
    agents.push(agent);
    await placed;
    expect(await agent.waitForLine(/ev-pad-4: ev-3 \(tag 04A1B2C5\) placed on pad pad-4/)).toBeTruthy();
  });

  it('refuses a sim events file naming a node the board lacks, with the events file and path', async () => {
    const events = writeConfig({
      events: [{ atS: 1, do: 'place-tag', node: 'ev-pad-9', tagUid: '04A1B2C5' }],
    });
    const agent = AgentProcess.spawn(['--config', 'hardware/boards/esp32-ev-pad.yaml', '--simulate', events]);
    agents.push(agent);
    expect((await agent.exited).code).toBe(2);
    expect(agent.lines).toContain(`error: ${events}: events.0.node: no node "ev-pad-9" on this board`);
  });

  it('exits 2 before touching the broker when the config disagrees with its board', async () => {
    const agent = AgentProcess.spawn(['--config', `${FIXTURES}/disagrees.yaml`, '--simulate']);
    agents.push(agent);
    expect((await agent.exited).code).toBe(2);
    expect(agent.lines).toContain(
      `error: ${FIXTURES}/disagrees.yaml: driver.backend: board ok-board is driven by linux, not johnny-five (ok.pinout.yaml)`,
    );
  });
});
