import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { TimeoutPolicySchema } from '../../protocol/cosim.js';
import { AssetKindSchema, SharedBatteryRulesSchema, TopicIdSchema } from '../../protocol/gridflex.js';
import { PolicyNameSchema } from '../agents/policy-name-schema.js';
import { InputError } from '../errors.js';
import { LiveLinksSchema } from '../live/link-shaper.js';
import { parseYamlInput, readInputFile } from '../read-input.js';
import { PinsConfigSchema } from './pins-config.js';

const PlotSchema = z.strictObject({
  plot: TopicIdSchema,
  /** Feeder bus the plot is wired to. */
  bus: z.string().min(1),
  phase: z.enum(['A', 'B', 'C']),
  home: TopicIdSchema.optional(),
  /** Name of the feeder load (Loads.csv) that is this home's own demand. */
  baseLoad: z.string().min(1).optional(),
});

const AssetSchema = z.strictObject({
  asset: TopicIdSchema,
  kind: AssetKindSchema,
  /** Where the demo places it at start; a real board's NFC report overrides it. */
  plot: TopicIdSchema.optional(),
  /** UID of the NFC sticker under the scale model (hex, as the reader reports it). */
  nfcTag: z
    .string()
    .regex(/^[0-9a-fA-F]{8,20}$/, '8 to 20 hex digits')
    .transform((uid) => uid.toLowerCase())
    .optional(),
  /** EV or battery: its size, charger power, and state of charge at start. */
  capacityKwh: z.number().positive().max(200).optional(),
  chargeKw: z.number().positive().max(50).optional(),
  initialSocPct: z.number().min(0).max(100).optional(),
});

/** The street's shared battery (rules set live by the citizens' assembly; these are the starting rules). */
const SharedBatteryConfigSchema = z.strictObject({
  bus: z.string().min(1),
  /** One phase, or ABC for a balanced three-phase battery. */
  phase: z.enum(['A', 'B', 'C', 'ABC']).default('ABC'),
  initialSocPct: z.number().min(0).max(100).default(50),
  /** Starting rules (the fields of a community-battery rules file); omitted fields take the defaults. */
  rules: SharedBatteryRulesSchema.partial().default({}),
});

export const TableMapConfigSchema = z
  .strictObject({
    /** Feeder folder (IEEE EU LV CSV format), relative to the map file. */
    feeder: z.string().min(1),
    clock: z
      .strictObject({
        start: z.iso.datetime({ offset: true }).default('2026-01-15T00:00:00Z'),
        stepMinutes: z.number().positive().max(60).default(6),
        /**
         * Wall-clock milliseconds between steps: at least 10, or 1 in `lockstep`, where the participants' answers
         * pace the steps (with answers ahead, 10 ms would cap the hub at 100 steps/s).
         */
        stepMs: z.number().int().min(1).max(3_600_000).default(500),
        /**
         * `accelerated` steps on a timer; `lockstep` also waits every step for the registered co-simulation
         * participants (docs/cosim.md), with `stepMs` the least time between steps.
         */
        mode: z.enum(['accelerated', 'lockstep']).default('accelerated'),
        /**
         * A clock faster than this (`stepMs` below it) publishes each step's heavy topics (feeder, homes, decisions,
         * comparison, …) at most once per this many wall-clock ms, always the latest step; the clock every step.
         * 0 publishes every step in full (hub/live/step-pacer.ts, docs/protocol.md).
         */
        publishEveryMs: z.number().int().min(0).max(60_000).default(100),
        /** Lockstep: what the hub does when a participant has not answered within `timeoutMs`. */
        lockstep: z
          .strictObject({
            policy: TimeoutPolicySchema.default('wait'),
            timeoutMs: z.number().int().min(1).max(3_600_000).default(2000),
          })
          .prefault({}),
      })
      .prefault({}),
    plots: z.array(PlotSchema).min(1),
    assets: z.array(AssetSchema).default([]),
    sharedBattery: SharedBatteryConfigSchema.optional(),
    /** Hardware in the loop: model variables pinned to live sensors (hub/table/pins-config.ts). */
    pins: PinsConfigSchema,
    /** The boards' readings late or lost on their way to the hub (hub/live/link-shaper.ts, docs/links.md). */
    links: LiveLinksSchema.optional(),
    /** The policy the residents' agents start with, and the policies run beside it as shadow runs. */
    live: z
      .strictObject({
        policy: PolicyNameSchema.default('selfish'),
        /** Default: every policy of the registry but external (each a pure run of one policy since the hub started). */
        shadows: z.array(PolicyNameSchema).optional(),
        /**
         * The street's import limit that nash, cooperative and central plan against, kW (default: the
         * transformers' rating). A tight limit shows on a small table what a real street's cables feel.
         */
        limitKw: z.number().finite().positive().max(100_000).optional(),
      })
      .prefault({}),
  })
  .superRefine((config, context) => {
    if (config.clock.stepMs < 10 && config.clock.mode !== 'lockstep')
      context.addIssue({
        code: 'custom',
        path: ['clock', 'stepMs'],
        message: `${config.clock.stepMs} ms: at least 10 unless mode is lockstep`,
      });
    const plots = new Set<string>();
    config.plots.forEach((plot, index) => {
      flagRepeat(context, plots, plot.plot, ['plots', index, 'plot'], 'plot');
    });
    const homes = new Set(config.plots.map((plot) => plot.home));
    config.pins.forEach((pin, index) => {
      if (!homes.has(pin.home))
        context.addIssue({
          code: 'custom',
          path: ['pins', index, 'home'],
          message: `"${pin.home}" is the home of no plot`,
        });
    });
    const assets = new Set<string>();
    const tags = new Set<string>();
    config.assets.forEach((asset, index) => {
      flagRepeat(context, assets, asset.asset, ['assets', index, 'asset'], 'asset');
      if (asset.plot !== undefined && !plots.has(asset.plot)) {
        context.addIssue({
          code: 'custom',
          path: ['assets', index, 'plot'],
          message: `unknown plot "${asset.plot}"`,
        });
      }
      if (asset.nfcTag !== undefined)
        flagRepeat(context, tags, asset.nfcTag, ['assets', index, 'nfcTag'], 'tag');
    });
  });

/** Flags `key` at `path` when an earlier entry already had it (`duplicate <noun> "<key>"`), then remembers it. */
function flagRepeat(
  context: z.RefinementCtx,
  seen: Set<string>,
  key: string,
  path: (string | number)[],
  noun: string,
): void {
  if (seen.has(key)) context.addIssue({ code: 'custom', path, message: `duplicate ${noun} "${key}"` });
  seen.add(key);
}

export type TableMapConfig = z.infer<typeof TableMapConfigSchema>;
export type TablePlotConfig = TableMapConfig['plots'][number];
export type TableAssetConfig = TableMapConfig['assets'][number];

/** A validated table map with its feeder folder resolved to an absolute path. */
export interface LoadedTableMap extends TableMapConfig {
  /** The map file it came from. */
  file: string;
  feederDir: string;
}

/** Reads and validates a table map YAML file; errors name the file and the offending path. */
export function loadTableMap(file: string): LoadedTableMap {
  const text = readInputFile(file);
  return parseTableMap(text, file);
}

/**
 * Validates table map YAML text; `file` names the source in errors, and relative paths are taken from
 * `baseDir` (default: the file's folder).
 */
export function parseTableMap(text: string, file: string, baseDir = dirname(file)): LoadedTableMap {
  const raw = parseYamlInput(text, file);
  const parsed = TableMapConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(top level)';
    throw new InputError(`${file}: ${path}`, issue?.message ?? 'invalid');
  }
  return { ...parsed.data, file, feederDir: resolve(baseDir, parsed.data.feeder) };
}

/** Checks the map against its feeder: every plot's bus and base load must exist there. */
export function checkMapAgainstFeeder(
  map: LoadedTableMap,
  feeder: { buses: readonly { name: string }[]; loads: readonly { name: string }[] },
): void {
  const buses = new Set(feeder.buses.map((bus) => bus.name));
  const loads = new Set(feeder.loads.map((load) => load.name));
  if (map.sharedBattery && !buses.has(map.sharedBattery.bus)) {
    throw new InputError(
      `${map.file}: sharedBattery.bus`,
      `bus "${map.sharedBattery.bus}" is not in feeder ${map.feederDir}`,
    );
  }
  map.plots.forEach((plot, index) => {
    if (!buses.has(plot.bus)) {
      throw new InputError(
        `${map.file}: plots.${index}.bus`,
        `bus "${plot.bus}" is not in feeder ${map.feederDir}`,
      );
    }
    if (plot.baseLoad !== undefined && !loads.has(plot.baseLoad)) {
      throw new InputError(
        `${map.file}: plots.${index}.baseLoad`,
        `load "${plot.baseLoad}" is not in ${map.feederDir}/Loads.csv`,
      );
    }
  });
}
