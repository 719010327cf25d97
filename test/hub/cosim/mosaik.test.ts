/**
 * mosaik's remote simulator protocol both ways. The far side of each connection is written here, byte for
 * byte from mosaik's published low-level API (4-byte big-endian length, UTF-8 JSON `[type, id, content]`,
 * requests `[method, args, kwargs]`, replies type 1 or 2, `stop` unanswered): (a) a PV simulator that joins a
 * GridFlex lockstep run through the bridge, (b) mosaik driving GridFlex's Street as a simulator, checked
 * against the same engine stepped directly.
 */
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMosaikFrame, listenForMosaik, MosaikFrameReader } from '../../../hub/cosim/mosaik.js';
import { MosaikParticipant } from '../../../hub/cosim/mosaik-participant.js';
import { StreetSimulator } from '../../../hub/cosim/mosaik-street.js';
import { buildYearStreet } from '../../../hub/engine/year-street.js';
import { loadRunInputs } from '../../../hub/sim/inputs.js';
import type { CosimDone, CosimWakeEvent } from '../../../protocol/cosim.js';
import { type CosimHub, Recorder, startCosimHub, WAITING_LOCKSTEP_CLOCK } from './cosim-hub.js';

/** A frame exactly as the protocol defines it: header = payload byte length, uint32 big-endian. */
function frame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length);
  return Buffer.concat([header, payload]);
}

/** Reads whole frames off a socket, checking each header against its payload's length. */
function frames(socket: Socket, onFrame: (value: unknown) => void): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4) {
      const length = buffer.readUInt32BE(0);
      if (buffer.length < 4 + length) return;
      const text = buffer.subarray(4, 4 + length).toString('utf8');
      buffer = buffer.subarray(4 + length);
      onFrame(JSON.parse(text));
    }
  });
}

/**
 * The simulator under test: one PV entity whose P is a function of time, written to the protocol; `next`
 * is its reply to `step` (its next time, or null as an event-based simulator without one).
 */
async function pvSimulator(
  next: (time: number) => number | null,
  type: 'time-based' | 'event-based' = 'time-based',
): Promise<{
  port: number;
  calls: unknown[];
  stoppedNow: Promise<void>;
  pv: (time: number) => number;
  close: () => Promise<void>;
}> {
  const calls: unknown[] = [];
  const pv = (time: number) => -0.5 - (time / 360) * 0.25;
  let stopped: () => void = () => {};
  const stoppedNow = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  let lastTime = 0;
  const server = createServer((socket) => {
    frames(socket, (message) => {
      const [type_, id, [method, args, kwargs]] = message as [
        number,
        number,
        [string, unknown[], Record<string, unknown>],
      ];
      expect(type_).toBe(0);
      calls.push([method, args, kwargs]);
      const reply = (content: unknown) => socket.write(frame(JSON.stringify([1, id, content])));
      if (method === 'init')
        reply({
          api_version: '3.0',
          type,
          models: { PV: { public: true, params: ['peak_kw'], attrs: ['P'] } },
        });
      else if (method === 'create') reply([{ eid: 'pv_0', type: 'PV', rel: [] }]);
      else if (method === 'setup_done') reply(null);
      else if (method === 'step') {
        lastTime = args[0] as number;
        reply(next(lastTime));
      } else if (method === 'get_data') reply({ pv_0: { P: pv(lastTime) } });
      else if (method === 'stop') stopped();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    calls,
    stoppedNow,
    pv,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('mosaik framing', () => {
  it('reads the published examples byte for byte, also split across TCP chunks', () => {
    const bytes = Buffer.concat([
      Buffer.from('\x00\x00\x00\x36[1, 1, ["my_func", ["hello", "world"], {"times": 23}]]', 'latin1'),
      Buffer.from('\x00\x00\x00\x1a[1, 1, "the return value"]', 'latin1'),
      Buffer.from('\x00\x00\x00\x29[2, 1, "Error in your code line 23: ..."]', 'latin1'),
    ]);
    const reader = new MosaikFrameReader();
    const messages = [
      ...reader.push(bytes.subarray(0, 7)),
      ...reader.push(bytes.subarray(7, 60)),
      ...reader.push(bytes.subarray(60)),
    ];
    expect(messages).toEqual([
      [1, 1, ['my_func', ['hello', 'world'], { times: 23 }]],
      [1, 1, 'the return value'],
      [2, 1, 'Error in your code line 23: ...'],
    ]);
    const encoded = encodeMosaikFrame([0, 7, ['step', [60, {}, 60], {}]]);
    expect(encoded.readUInt32BE(0)).toBe(encoded.length - 4);
    expect(encoded.subarray(4).toString()).toBe('[0,7,["step",[60,{},60],{}]]');
    expect(() => new MosaikFrameReader().push(frame('{"not": "a list"}'))).toThrow(/\[type, id, content\]/);
  });
});

describe('a mosaik simulator joins a GridFlex lockstep run', () => {
  let hub: CosimHub;
  let seen: Recorder;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    hub = await startCosimHub(WAITING_LOCKSTEP_CLOCK);
    closers.push(() => hub.stop());
    seen = await Recorder.on(await hub.viewer('mosaik-viewer'), 'gridflex/v1/cosim/done');
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  /** A simulator (see pvSimulator) joined through the bridge as participant `id`. */
  async function joinSimulator(
    id: string,
    simulator: Awaited<ReturnType<typeof pvSimulator>>,
    wakeOn?: CosimWakeEvent[],
  ): Promise<MosaikParticipant> {
    closers.push(simulator.close);
    const password = await hub.store.add(id, { role: 'device', deviceId: id });
    return MosaikParticipant.start({
      id,
      brokerUrl: hub.url,
      password,
      simulator: { host: '127.0.0.1', port: simulator.port },
      sid: 'PVSim-0',
      model: 'PV',
      modelParams: { peak_kw: 4 },
      attrs: ['P'],
      ...(wakeOn ? { wakeOn } : {}),
      log: () => {},
    });
  }
  const stepTimes = (calls: unknown[]) =>
    calls
      .filter((call) => (call as unknown[])[0] === 'step')
      .map((call) => (call as [string, number[]])[1][0]);

  it('is set up as mosaik does, then stepped and read once per hub step, its outputs in the step’s outcome', async () => {
    const simulator = await pvSimulator((time) => time + 360);
    const { calls, stoppedNow, pv } = simulator;
    const participant = await joinSimulator('mosaik-pv', simulator);
    const first = await seen.next<CosimDone>('gridflex/v1/cosim/done', (done) =>
      done.answered.includes('mosaik-pv'),
    );
    const outcomes = [first];
    for (let step = first.step + 1; step <= first.step + 3; step++) {
      outcomes.push(await seen.find<CosimDone>('gridflex/v1/cosim/done', (done) => done.step === step));
    }
    await participant.stop();
    await stoppedNow;
    for (const [index, done] of outcomes.entries()) {
      expect(done.answered).toEqual(['mosaik-pv']);
      expect(done.outputs['mosaik-pv']).toEqual({ 'pv_0.P': pv(index * 360) });
    }
    expect(calls.slice(0, 9)).toEqual([
      ['init', ['PVSim-0'], { time_resolution: 1 }],
      ['create', [1, 'PV'], { peak_kw: 4 }],
      ['setup_done', [], {}],
      ['step', [0, {}, 0], {}],
      ['get_data', [{ pv_0: ['P'] }], {}],
      ['step', [360, {}, 360], {}],
      ['get_data', [{ pv_0: ['P'] }], {}],
      ['step', [720, {}, 720], {}],
      ['get_data', [{ pv_0: ['P'] }], {}],
    ]);
    expect(calls.at(-1)).toEqual(['stop', [], {}]);
  });

  it('is stepped at the hub step holding the next time its step returned; its outputs hold in between', async () => {
    // 1800 s on: five 6-minute hub steps later.
    const simulator = await pvSimulator((time) => time + 1800);
    const participant = await joinSimulator('mosaik-slow', simulator);
    const first = await seen.next<CosimDone>('gridflex/v1/cosim/done', (done) =>
      done.answered.includes('mosaik-slow'),
    );
    expect(first.outputs['mosaik-slow']).toEqual({ 'pv_0.P': simulator.pv(0) });
    // Answered ahead: each step between has its outputs of time 0, without stepping it.
    for (let step = first.step + 1; step < first.step + 5; step++) {
      const done = await seen.find<CosimDone>('gridflex/v1/cosim/done', (body) => body.step === step);
      expect(done.outputs['mosaik-slow']).toEqual({ 'pv_0.P': simulator.pv(0) });
    }
    const fifth = await seen.find<CosimDone>(
      'gridflex/v1/cosim/done',
      (body) => body.step === first.step + 5,
    );
    expect(fifth.outputs['mosaik-slow']).toEqual({ 'pv_0.P': simulator.pv(1800) });
    await participant.stop();
    expect(stepTimes(simulator.calls).slice(0, 2)).toEqual([0, 1800]);
  });

  it('an event-based simulator with no next time sleeps until a wake-on event', async () => {
    const board = (await hub.device('mosaik-board')).client;
    const lightPct = 'homie/5/mosaik-board/pv/light-pct';
    await board.publishAsync(lightPct, '30', { qos: 1, retain: true });
    const simulator = await pvSimulator(() => null, 'event-based');
    const participant = await joinSimulator('mosaik-event', simulator, [
      { on: 'property', device: 'mosaik-board', property: 'pv/light-pct' },
    ]);
    const first = await seen.next<CosimDone>('gridflex/v1/cosim/done', (done) =>
      done.answered.includes('mosaik-event'),
    );
    const later = await seen.find<CosimDone>(
      'gridflex/v1/cosim/done',
      (body) => body.step === first.step + 3,
    );
    expect(later.answered).not.toContain('mosaik-event');
    expect(stepTimes(simulator.calls)).toEqual([0]);
    await board.publishAsync(lightPct, '70', { qos: 1, retain: true });
    const woken = await seen.next<CosimDone>('gridflex/v1/cosim/done', (done) =>
      done.answered.includes('mosaik-event'),
    );
    await participant.stop();
    expect(stepTimes(simulator.calls)).toEqual([0, (woken.step - first.step) * 360]);
  });
});

describe('GridFlex’s street as a mosaik simulator', () => {
  it('answers init, create, setup_done, step and get_data as the API says, with the engine’s own numbers', async () => {
    const scenario = join(process.cwd(), 'scenarios', 'table.yaml');
    const listener = await listenForMosaik(
      '127.0.0.1',
      0,
      () => new StreetSimulator(),
      () => {},
    );
    const socket = await new Promise<Socket>((resolve, reject) => {
      const connection = tcpConnect({ host: '127.0.0.1', port: listener.port }, () => resolve(connection));
      connection.once('error', reject);
    });
    const replies: unknown[][] = [];
    const waiters: ((reply: unknown[]) => void)[] = [];
    frames(socket, (message) => {
      const waiter = waiters.shift();
      if (waiter) waiter(message as unknown[]);
      else replies.push(message as unknown[]);
    });
    let id = 0;
    const call = (text: string) =>
      new Promise<unknown[]>((resolve) => {
        waiters.push(resolve);
        // mosaik (Python's json.dumps) puts spaces after separators; the bytes go out as written here.
        socket.write(frame(`[0, ${id++}, ${text}]`));
      });

    const meta = await call('["init", ["GridFlex-0"], {"time_resolution": 1.0}]');
    expect(meta[0]).toBe(1);
    expect(meta[1]).toBe(0);
    expect(meta[2]).toMatchObject({
      api_version: '3.0',
      type: 'time-based',
      models: { Street: { public: true } },
    });
    const created = await call(
      `["create", [1, "Street"], {"scenario": ${JSON.stringify(scenario)}, "policy": "passive", "days": 1}]`,
    );
    const street = (created[2] as { eid: string; children: { eid: string; type: string }[] }[])[0];
    expect(street?.eid).toBe('street');
    const homeIds = street?.children.filter((child) => child.type === 'Home').map((child) => child.eid) ?? [];
    expect(homeIds.length).toBeGreaterThan(0);
    expect(await call('["setup_done", [], {}]')).toEqual([1, 2, null]);

    // The same engine, stepped directly.
    const direct = await buildYearStreet(loadRunInputs(scenario), 'passive', {
      days: 1,
      recordSeries: false,
    });
    const stepSeconds = direct.world.stepMinutes * 60;
    const home = homeIds[0] as string;
    for (let k = 0; k < 3; k++) {
      const frameK = direct.street.step(k);
      const next = await call(`["step", [${k * stepSeconds}, {}, ${k * stepSeconds}], {}]`);
      expect(next).toEqual([1, id - 1, (k + 1) * stepSeconds]);
      const data = await call(
        `["get_data", [{"${home}": ["p_kw", "pv_kw"], "feeder": ["p_kw", "v_min"]}], {}]`,
      );
      expect(data[2]).toEqual({
        [home]: { p_kw: frameK.results[0]?.pKw, pv_kw: frameK.results[0]?.pvKw },
        feeder: { p_kw: frameK.flow?.substationPTotalKw, v_min: frameK.flow?.vMin.volts },
      });
    }
    direct.finish(0);

    // Errors are type-2 replies with the reason; the connection stays up.
    const bad = await call('["get_data", [{"nobody": ["p_kw"]}], {}]');
    expect(bad[0]).toBe(2);
    expect(String(bad[2])).toMatch(/no entity "nobody"/);
    // stop: no reply, the simulator closes the connection.
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(frame(`[0, ${id++}, ["stop", [], {}]]`));
    await closed;
    expect(replies).toEqual([]);
    await listener.close();
  });
});
