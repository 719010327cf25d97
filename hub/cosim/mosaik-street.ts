/**
 * GridFlex's Street offered to a mosaik scenario as a simulator (mosaik 3, time-based): model `Street`
 * (params `scenario`, `policy`, `days`) with child entities `Home` (one per home) and `Feeder`. Each
 * `step(time)` advances the same engine `gridflex run` uses (hub/engine `Street`, built by
 * `buildYearStreet`) to the step containing `time`, and `get_data` reads the last step's results.
 */
import { z } from 'zod';
import type { StepFrame } from '../engine/street.js';
import { buildYearStreet, type YearStreet } from '../engine/year-street.js';
import { loadRunInputs } from '../sim/inputs.js';
import type { MosaikSimulatorHandler } from './mosaik.js';

const HOME_ATTRS = [
  'p_kw',
  'pv_kw',
  'ev_kw',
  'heat_pump_kw',
  'battery_kw',
  'base_load_kw',
  'v_volts',
] as const;
const FEEDER_ATTRS = ['p_kw', 'losses_kw', 'v_min', 'v_max', 'transformer_loading_pct'] as const;

/** The `init` reply. */
export const STREET_META = {
  api_version: '3.0',
  type: 'time-based',
  models: {
    Street: { public: true, params: ['scenario', 'policy', 'days'], attrs: [] },
    Home: { public: false, params: [], attrs: [...HOME_ATTRS] },
    Feeder: { public: false, params: [], attrs: [...FEEDER_ATTRS] },
  },
  extra_methods: [],
} as const;

const InitSchema = z.object({ time_resolution: z.number().positive().default(1) }).passthrough();
const StreetParamsSchema = z.strictObject({
  scenario: z.string().min(1),
  policy: z.string().min(1).optional(),
  days: z.number().int().min(1).max(366).optional(),
});

export class StreetSimulator implements MosaikSimulatorHandler {
  private timeResolution = 1;
  private year: YearStreet | undefined;
  private frame: StepFrame | undefined;
  private nextStep = 0;

  init(_sid: string, kwargs: Record<string, unknown>): typeof STREET_META {
    this.timeResolution = InitSchema.parse(kwargs).time_resolution;
    return STREET_META;
  }

  async create(num: number, model: string, params: Record<string, unknown>): Promise<unknown[]> {
    if (model !== 'Street') throw new Error(`model "${model}" is not public here (create a Street)`);
    if (num !== 1 || this.year) throw new Error('one Street per simulator instance');
    const parsed = StreetParamsSchema.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`Street params: ${issue?.path.join('.') || '(top)'}: ${issue?.message}`);
    }
    const { scenario, policy, days } = parsed.data;
    this.year = await buildYearStreet(loadRunInputs(scenario), policy, {
      ...(days === undefined ? {} : { days }),
      recordSeries: false,
    });
    return [
      {
        eid: 'street',
        type: 'Street',
        rel: [],
        children: [
          ...this.year.street.homes.map((home) => ({ eid: home.spec.id, type: 'Home', rel: ['feeder'] })),
          { eid: 'feeder', type: 'Feeder', rel: [] },
        ],
      },
    ];
  }

  setupDone(): null {
    return null;
  }

  /** Steps the street up to the step containing `time`; the next call is one street step later. */
  step(time: number): number {
    const year = this.need();
    const stepSeconds = year.world.stepMinutes * 60;
    const target = Math.floor((time * this.timeResolution) / stepSeconds);
    if (target >= year.stepCount) throw new Error(`time ${time} is past the street's last step`);
    while (this.nextStep <= target) this.frame = year.street.step(this.nextStep++);
    return Math.round(((target + 1) * stepSeconds) / this.timeResolution);
  }

  getData(outputs: Record<string, string[]>): Record<string, Record<string, number>> {
    const year = this.need();
    const frame = this.frame;
    if (!frame) throw new Error('no step yet');
    const data: Record<string, Record<string, number>> = {};
    for (const [eid, attrs] of Object.entries(outputs)) {
      const values: Record<string, number> = {};
      if (eid === 'feeder') {
        const flow = frame.flow;
        for (const attr of attrs) values[attr] = feederValue(attr, flow);
      } else {
        const index = year.street.homes.findIndex((home) => home.spec.id === eid);
        const home = year.street.homes[index];
        const result = frame.results[index];
        if (!home || !result) throw new Error(`no entity "${eid}"`);
        for (const attr of attrs) {
          const value: Record<(typeof HOME_ATTRS)[number], number> = {
            p_kw: result.pKw,
            pv_kw: result.pvKw,
            ev_kw: result.evKw,
            heat_pump_kw: result.heatPumpKw,
            battery_kw: result.batteryKw,
            base_load_kw: result.baseLoadKw,
            v_volts: home.voltsLn,
          };
          if (!(attr in value)) throw new Error(`Home has no attribute "${attr}"`);
          values[attr] = value[attr as keyof typeof value];
        }
      }
      data[eid] = values;
    }
    return data;
  }

  stop(): void {
    this.year?.finish(0);
    this.year = undefined;
  }

  private need(): YearStreet {
    if (!this.year) throw new Error('create a Street first');
    return this.year;
  }
}

function feederValue(attr: string, flow: StepFrame['flow']): number {
  if (!flow) throw new Error('no power flow yet');
  switch (attr) {
    case 'p_kw':
      return flow.substationPTotalKw;
    case 'losses_kw':
      return flow.lossesKw;
    case 'v_min':
      return flow.vMin.volts;
    case 'v_max':
      return flow.vMax.volts;
    case 'transformer_loading_pct':
      return flow.transformerLoadingPct;
    default:
      throw new Error(`Feeder has no attribute "${attr}"`);
  }
}
