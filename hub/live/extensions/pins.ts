import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Clock,
  gridflexTopics,
  type PinBias,
  PinBiasSchema,
  type PinState,
  type Pins,
} from '../../../protocol/gridflex.js';
import { HOMIE_ROOT, parseHomieTopic } from '../../../protocol/homie.js';
import { DriftMonitor } from '../../cosim/drift.js';
import { PinnedSensor } from '../../cosim/pinned-sensor.js';
import { type PinSpec, pinsOfAdoptions, pinsOfMap, readAdoptions } from '../../table/pins-config.js';
import type { PinnedFigures } from '../../table/table-state.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

/** Every step's pins, one JSON line each, in the data dir: the record of the live run's hardware in the loop. */
export const PINS_RECORD_FILE = 'pins.jsonl';
/** Steps kept per pin for the dashboard's chart. */
const HISTORY_STEPS = 60;

/** One pin's running state beside its sensor. */
interface Pin {
  sensor: PinnedSensor;
  monitor: DriftMonitor;
  appliedBiasKw: number;
  history: PinState['history'];
  /** Why the model drove it last step (null: the sensor did), to log each change once. */
  fallback: string | null | undefined;
  state: PinState | undefined;
}

/**
 * Hardware in the loop: each model variable pinned to a live sensor (the table map's `pins:`, and devices
 * adopted with `gridflex device adopt`) takes the sensor's value in the power flow every step, in place of the
 * model's (`TableState.pinned`, read by every power flow of the table); a device that is not `ready`, a stale or unreadable value gives the variable
 * back to the model, logged and shown. Per pin: drift of sensor against model (residual, EWMA, bias estimate,
 * alarm), the bias the operator applied (control `table/pin-bias`), the last steps; on `gridflex/v1/pins` and
 * appended to `pins.jsonl`. Runs before the market and the residents, so every solve of the step sees the pins.
 */
export class PinsExtension implements Extension {
  readonly name = 'pins';
  private readonly pins = new Map<string, Pin>();
  private step = 0;
  private latest: Pins | null = null;
  private recordFailed = false;

  constructor(private readonly hub: HubContext) {
    for (const spec of this.specs()) {
      this.pins.set(spec.pin, {
        sensor: new PinnedSensor(spec),
        monitor: new DriftMonitor({ alpha: spec.drift.alpha, alarmAt: spec.drift.alarmAtKw }),
        appliedBiasKw: 0,
        history: [],
        fallback: undefined,
        state: undefined,
      });
    }
  }

  async start(): Promise<void> {
    const devices = new Set([...this.pins.values()].map((pin) => pin.sensor.spec.device));
    for (const device of devices) {
      await this.hub.link.subscribe(`${HOMIE_ROOT}/${device}/#`, (topic, payload) =>
        this.onMessage(topic, payload),
      );
    }
    this.hub.controls.handle('table-pin-bias', (request) => this.onBias(request));
    this.hub.bus.on('step', this, ({ clock }) => this.pinStep(clock));
    this.hub.bus.on('published', this, async () => {
      if (this.latest) await this.hub.publishJson(gridflexTopics.pins(), this.latest, true, 0);
    });
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
    this.hub.controls.remove('table-pin-bias');
    this.hub.table.pinned = new Map();
  }

  snapshot(): { pins?: Pins } {
    return this.latest ? { pins: this.latest } : {};
  }

  /** The map's pins, then the adoptions (an adoption replaces a map pin of the same home's demand). */
  private specs(): PinSpec[] {
    const { map, dataDir } = this.hub;
    const specs = new Map(pinsOfMap(map, map.pins).map((spec) => [spec.pin, spec]));
    for (const spec of pinsOfAdoptions(map, readAdoptions(dataDir))) {
      if (specs.has(spec.pin))
        this.hub.log('warn', `${spec.pin}: adopted ${spec.device} replaces the table map's pin`);
      specs.set(spec.pin, spec);
    }
    return [...specs.values()];
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = parseHomieTopic(topic);
    if (!parsed) return;
    for (const { sensor } of this.pins.values()) {
      if (sensor.spec.device !== parsed.deviceId) continue;
      if (parsed.kind === 'state') sensor.onState(payload.toString());
      if (parsed.kind === 'description') sensor.onDescription(payload);
      if (parsed.kind === 'property')
        sensor.onValue(`${parsed.nodeId}/${parsed.propertyId}`, payload, this.step);
    }
  }

  /** Before the step's power flow: each pin's value (or the model's), its drift, and the figures for the flow. */
  private pinStep(clock: Clock): void {
    this.step = clock.step;
    const figures = new Map<string, PinnedFigures>();
    const states: PinState[] = [];
    for (const pin of this.pins.values()) {
      const state = this.pinState(pin, clock);
      states.push(state);
      if (state.source !== 'sensor' || state.sensorKw === null) continue;
      const plot = figures.get(state.plot) ?? {};
      if (state.variable === 'pv') plot.pvPKw = state.sensorKw;
      else plot.baseLoadPKw = state.sensorKw;
      figures.set(state.plot, plot);
    }
    this.hub.table.pinned = figures;
    if (states.length === 0) return;
    this.latest = { step: clock.step, simTime: clock.simTime, pins: states };
    this.record(this.latest);
  }

  private pinState(pin: Pin, clock: Clock): PinState {
    const { spec } = pin.sensor;
    const modelKw =
      spec.variable === 'pv'
        ? this.hub.feeder.modelPvPKw(spec.plot)
        : this.hub.feeder.modelBaseLoadPKw(spec.plot, clock);
    const value = pin.sensor.valueAt(clock.step);
    this.tellFallback(pin, value.ok ? null : value.reason);
    const sensorKw = value.ok ? value.kw - pin.appliedBiasKw : null;
    const sample = sensorKw === null ? undefined : pin.monitor.update(modelKw, sensorKw);
    if (sample?.change) {
      this.hub.log(
        'warn',
        `drift ${sample.change} on ${spec.pin}: ${spec.device} ${sensorKw?.toFixed(2)} kW, model ${modelKw.toFixed(2)} kW (EWMA ${sample.ewma.toFixed(2)} kW, bias estimate ${sample.bias.toFixed(2)} kW)`,
      );
    }
    pin.history.push({ step: clock.step, modelKw, sensorKw, ewmaKw: sample?.ewma ?? null });
    if (pin.history.length > HISTORY_STEPS) pin.history.shift();
    const previous = pin.state?.drift ?? null;
    pin.state = {
      pin: spec.pin,
      home: spec.home,
      plot: spec.plot,
      variable: spec.variable,
      device: spec.device,
      property: pin.sensor.propertyPath,
      adopted: spec.adopted,
      control: spec.control,
      source: value.ok ? 'sensor' : 'model',
      ...(value.ok ? {} : { fallback: value.reason }),
      modelKw,
      sensorKw,
      appliedBiasKw: pin.appliedBiasKw,
      drift: sample
        ? {
            residualKw: sample.residual,
            ewmaKw: sample.ewma,
            biasKw: sample.bias,
            samples: sample.samples,
            alarm: sample.alarm,
            alarmAtKw: spec.drift.alarmAtKw,
          }
        : previous,
      history: [...pin.history],
    };
    return pin.state;
  }

  /** Logs when the model takes a pinned variable back, and when the sensor drives it again. */
  private tellFallback(pin: Pin, reason: string | null): void {
    if (pin.fallback === reason) return;
    const { spec } = pin.sensor;
    const what = `${spec.home}'s ${spec.variable === 'pv' ? 'PV output' : 'demand'}`;
    if (reason === null) this.hub.log('info', `${spec.pin}: ${spec.device} drives ${what}`);
    else this.hub.log('warn', `${spec.pin}: the model drives ${what} (${reason})`);
    pin.fallback = reason;
  }

  /** Operator control: correct a pin by its bias estimate (cumulative), or drop the correction. */
  private onBias(request: ControlRequest): ControlAnswer {
    const body: PinBias = PinBiasSchema.parse(request.body);
    const pin = this.pins.get(body.pin);
    if (!pin) {
      const known = [...this.pins.keys()].join(', ') || 'none';
      return { accepted: false, reason: `no pin ${body.pin} (pins: ${known})` };
    }
    const { spec } = pin.sensor;
    const drift = pin.state?.drift;
    if (body.action === 'apply' && !drift)
      return { accepted: false, reason: `${body.pin} has no bias estimate yet (no sensor reading)` };
    pin.appliedBiasKw = body.action === 'apply' ? pin.appliedBiasKw + (drift?.biasKw ?? 0) : 0;
    // The residuals so far describe the uncorrected sensor: drift starts again on the corrected one.
    pin.monitor = new DriftMonitor({ alpha: spec.drift.alpha, alarmAt: spec.drift.alarmAtKw });
    return {
      accepted: true,
      reason: `${body.pin}: ${spec.device} corrected by ${(-pin.appliedBiasKw).toFixed(3)} kW from the next step; drift starts again`,
    };
  }

  private record(pins: Pins): void {
    const line = {
      step: pins.step,
      simTime: pins.simTime,
      pins: pins.pins.map(({ history: _history, ...rest }) => rest),
    };
    try {
      appendFileSync(join(this.hub.dataDir, PINS_RECORD_FILE), `${JSON.stringify(line)}\n`);
    } catch (error) {
      if (!this.recordFailed)
        this.hub.log('warn', `could not append to ${PINS_RECORD_FILE}: ${(error as Error).message}`);
      this.recordFailed = true;
    }
  }
}
