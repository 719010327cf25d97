/**
 * A mosaik-API simulator joins a GridFlex lockstep run: this bridge plays mosaik towards the simulator
 * (init, create, setup_done, then step and get_data every hub step, stop at the end) and is an ordinary
 * lockstep participant towards the hub (MQTT, a `device:<id>` identity). Simulated time goes to the
 * simulator in seconds since the first step it took part in (`time_resolution` 1); until a time-based
 * simulator's next step time its outputs hold (mosaik's semantics), answered ahead for the hub steps in
 * between (or, past {@link AHEAD_MAX_BYTES} of them, that step becomes the answer's `nextStep`); an
 * event-based simulator's `null` (no next step of its own) sleeps until one of the `wakeOn` events (with none
 * given, it is stepped every hub step).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { z } from 'zod';
import {
  type CosimAnswer,
  type CosimStep,
  CosimStepSchema,
  type CosimWakeEvent,
  cosimTopics,
  type TimeoutPolicy,
} from '../../protocol/cosim.js';
import { MosaikSimulatorClient } from './mosaik.js';

export interface MosaikParticipantOptions {
  /** The participant's ID (and MQTT username, a `device:<id>` user). */
  id: string;
  brokerUrl: string;
  password: string;
  simulator: { host: string; port: number };
  /** The simulator ID mosaik would give it, e.g. `PVSim-0`. */
  sid?: string;
  simParams?: Record<string, unknown>;
  model: string;
  num?: number;
  modelParams?: Record<string, unknown>;
  /** Attributes read from every created entity each step (`get_data`). */
  attrs: string[];
  policy?: TimeoutPolicy;
  timeoutMs?: number;
  /** Hub events that step the simulator before its next time (or, after a `null` next time, at all). */
  wakeOn?: CosimWakeEvent[];
  log: (message: string) => void;
}

const EntitiesSchema = z.array(z.object({ eid: z.string().min(1), type: z.string() }).passthrough());
const DataSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
/** Outputs held ahead in one answer at most, JSON bytes: well inside the embedded broker's 64 KiB packet. */
const AHEAD_MAX_BYTES = 32 * 1024;

type Outputs = Record<string, number | boolean | string | null>;

export class MosaikParticipant {
  private firstStep: number | undefined;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: MosaikParticipantOptions,
    private readonly simulator: MosaikSimulatorClient,
    private readonly client: MqttClient,
    private readonly eids: string[],
  ) {}

  /** Sets the simulator up as mosaik would, then registers with the hub. */
  static async start(options: MosaikParticipantOptions): Promise<MosaikParticipant> {
    const simulator = await MosaikSimulatorClient.connect(options.simulator.host, options.simulator.port);
    const meta = z
      .object({ api_version: z.union([z.string(), z.number()]) })
      .passthrough()
      .parse(
        await simulator.call('init', [options.sid ?? `${options.model}Sim-0`], {
          time_resolution: 1,
          ...options.simParams,
        }),
      );
    if (!String(meta.api_version).startsWith('3')) {
      options.log(`mosaik: simulator speaks API ${meta.api_version}; GridFlex speaks 3`);
    }
    const entities = EntitiesSchema.parse(
      await simulator.call('create', [options.num ?? 1, options.model], options.modelParams ?? {}),
    );
    await simulator.call('setup_done', [], {});
    const client = await new Promise<MqttClient>((resolve, reject) => {
      const connection = mqtt.connect(options.brokerUrl, {
        protocolVersion: 4,
        clientId: options.id,
        username: options.id,
        password: options.password,
        reconnectPeriod: 1000,
      });
      connection.once('connect', () => resolve(connection));
      connection.once('error', reject);
    });
    const participant = new MosaikParticipant(
      options,
      simulator,
      client,
      entities.map((entity) => entity.eid),
    );
    client.on('message', (_topic, payload) => {
      participant.queue = participant.queue.then(() => participant.onStep(payload));
    });
    await client.subscribeAsync(cosimTopics.step(), { qos: 1 });
    const register = JSON.stringify({
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    await client.publishAsync(cosimTopics.register(options.id), register, { qos: 1 });
    // A new connection may have missed a step's announcement: registering again has the hub send it again.
    client.on('connect', () => client.publish(cosimTopics.register(options.id), register, { qos: 1 }));
    return participant;
  }

  /** Leaves the run and stops the simulator. */
  async stop(): Promise<void> {
    await this.queue;
    await this.client.publishAsync(cosimTopics.leave(this.options.id), '{}', { qos: 1 }).catch(() => {});
    await this.client.endAsync();
    await this.simulator.stop();
  }

  private async onStep(payload: Buffer): Promise<void> {
    let announcement: CosimStep;
    try {
      announcement = CosimStepSchema.parse(JSON.parse(payload.toString()));
    } catch (error) {
      this.options.log(`mosaik: bad step announcement: ${(error as Error).message.slice(0, 120)}`);
      return;
    }
    if (!announcement.due.includes(this.options.id)) return;
    this.firstStep ??= announcement.step;
    const stepSeconds = announcement.stepMinutes * 60;
    const time = Math.round((announcement.step - this.firstStep) * stepSeconds);
    const outputs: Outputs = {};
    let wake: Pick<CosimAnswer, 'ahead' | 'nextStep' | 'wakeOn'> = {};
    try {
      const next = await this.simulator.call('step', [time, {}, time], {});
      const data = DataSchema.parse(
        await this.simulator.call(
          'get_data',
          [Object.fromEntries(this.eids.map((eid) => [eid, this.options.attrs]))],
          {},
        ),
      );
      for (const [eid, values] of Object.entries(data)) {
        for (const [attr, value] of Object.entries(values)) {
          outputs[`${eid}.${attr}`] =
            typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string'
              ? value
              : null;
        }
      }
      wake = this.wakeAfter(announcement.step, next, stepSeconds, outputs);
    } catch (error) {
      this.options.log(`mosaik: step ${announcement.step}: ${(error as Error).message}`);
    }
    await this.client
      .publishAsync(
        cosimTopics.answer(this.options.id),
        JSON.stringify({
          step: announcement.step,
          outputs,
          ...wake,
        }),
        // QoS 0 as the announcement: lost only with the connection, and then the step is announced again.
        { qos: 0 },
      )
      // Stopping: the run goes on without this answer.
      .catch((error: Error) =>
        this.options.log(`mosaik: step ${announcement.step}: answer not sent: ${error.message}`),
      );
  }

  /**
   * When the hub should next step the simulator: at the hub step holding its next time (mosaik's `step`
   * reply, in seconds), its `outputs` holding in the steps between, earlier on a `wakeOn` event; after `null`
   * only on an event.
   */
  private wakeAfter(
    step: number,
    next: unknown,
    stepSeconds: number,
    outputs: Outputs,
  ): Pick<CosimAnswer, 'ahead' | 'nextStep' | 'wakeOn'> {
    const wakeOn = this.options.wakeOn?.length ? { wakeOn: this.options.wakeOn } : {};
    if (next === null) return wakeOn;
    if (typeof next !== 'number') return {};
    const nextStep = (this.firstStep ?? step) + Math.ceil(next / stepSeconds);
    const between = nextStep - step - 1;
    if (between <= 0) return {};
    const fits = between <= 1000 && between * (JSON.stringify(outputs).length + 1) <= AHEAD_MAX_BYTES;
    return fits
      ? { ahead: Array.from({ length: between }, () => outputs), ...wakeOn }
      : { nextStep, ...wakeOn };
  }
}
