/**
 * Hardware in the loop: the table map's `pins:` section and `gridflex device adopt`'s adoptions, both made into
 * {@link PinSpec}s, each pinning one model variable of a home (its PV output or its own demand) to a property
 * of a live Homie 5 device.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TopicIdSchema } from '../../protocol/gridflex.js';
import { HomieIdSchema } from '../../protocol/homie.js';
import { InputError } from '../errors.js';

/** `<node>/<property>` of a Homie device. */
export const PropertyPathSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/, '<node>/<property>, e.g. pv/light-pct');

const DriftConfigSchema = z
  .strictObject({
    /** EWMA weight of the newest residual. */
    alpha: z.number().gt(0).max(1).default(0.2),
    /** |EWMA| at which the alarm is raised (cleared below half), kW. */
    alarmAtKw: z.number().positive().max(100).default(0.5),
  })
  .prefault({});

export const PinConfigSchema = z.strictObject({
  home: TopicIdSchema,
  /** `pv`: the home's PV output (from a light sensor in %, × `kwp`); `load`: its own demand (a power in W or kW). */
  variable: z.enum(['pv', 'load']),
  device: HomieIdSchema,
  property: PropertyPathSchema,
  /** `pv`: the home's PV peak, kW (100 % light gives this much). */
  kwp: z.number().positive().max(50).optional(),
  /** With no reading for this many steps the model takes over again. */
  staleSteps: z.number().int().min(1).max(100_000).default(5),
  drift: DriftConfigSchema,
});
export type PinConfig = z.infer<typeof PinConfigSchema>;

/** The `pins:` section: `pv` pins need `kwp`, one pin per home and variable, homes of this map. */
export const PinsConfigSchema = z
  .array(PinConfigSchema)
  .default([])
  .superRefine((pins, context) => {
    const seen = new Set<string>();
    pins.forEach((pin, index) => {
      if (pin.variable === 'pv' && pin.kwp === undefined)
        context.addIssue({
          code: 'custom',
          path: [index, 'kwp'],
          message: 'a pv pin needs kwp (the PV peak, kW)',
        });
      const id = `${pin.home}/${pin.variable}`;
      if (seen.has(id))
        context.addIssue({ code: 'custom', path: [index, 'variable'], message: `${id} pinned twice` });
      seen.add(id);
    });
  });

/** A pinned model variable, from the table map or an adoption. */
export interface PinSpec {
  /** `<home>/<variable>`. */
  pin: string;
  home: string;
  plot: string;
  variable: 'pv' | 'load';
  device: string;
  /** `<node>/<property>`, or null: the device's first property in W or kW (an adoption without `--power`). */
  property: string | null;
  kwp?: number;
  /** Undefined: a retained value holds while the device is `ready` (Homie 5: it is the current value). */
  staleSteps?: number;
  drift: { alpha: number; alarmAtKw: number };
  adopted: boolean;
  control: boolean;
}

/** The pins of a validated map (its schema checked that each pin's home is on a plot). */
export function pinsOfMap(
  map: { plots: readonly { plot: string; home?: string | undefined }[] },
  pins: readonly PinConfig[],
): PinSpec[] {
  return pins.map((pin) => {
    const plot = map.plots.find((entry) => entry.home === pin.home);
    if (!plot) throw new Error(`pin ${pin.home}/${pin.variable}: the map was not validated`);
    return {
      pin: `${pin.home}/${pin.variable}`,
      home: pin.home,
      plot: plot.plot,
      variable: pin.variable,
      device: pin.device,
      property: pin.property,
      ...(pin.kwp === undefined ? {} : { kwp: pin.kwp }),
      staleSteps: pin.staleSteps,
      drift: pin.drift,
      adopted: false,
      control: false,
    };
  });
}

/** Adopted devices, kept in the data dir by `gridflex device adopt`. */
export const ADOPTIONS_FILE = 'adoptions.json';

export const AdoptionSchema = z.strictObject({
  device: HomieIdSchema,
  plot: TopicIdSchema,
  /** `<node>/<property>` of its power; absent: the first property in W or kW of its `$description`. */
  power: PropertyPathSchema.optional(),
  /** The operator let the hub command it; without, the hub never publishes to its `/set` topics. */
  control: z.boolean(),
  adoptedAt: z.iso.datetime({ offset: true }),
});
export type Adoption = z.infer<typeof AdoptionSchema>;

const AdoptionsFileSchema = z.strictObject({ adoptions: z.array(AdoptionSchema) });

/** The adoptions in `<dataDir>/adoptions.json` (none when the file is absent); errors name the file and entry. */
export function readAdoptions(dataDir: string): Adoption[] {
  const file = join(dataDir, ADOPTIONS_FILE);
  if (!existsSync(file)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(file, `not JSON (${(error as Error).message})`);
  }
  const parsed = AdoptionsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${file}: ${issue?.path.join('.') || '(top level)'}`, issue?.message ?? 'invalid');
  }
  return parsed.data.adoptions;
}

/** An adopted device's measured power drives the demand of the home on its plot. */
export function pinsOfAdoptions(
  map: { file: string; plots: readonly { plot: string; home?: string | undefined }[] },
  adoptions: readonly Adoption[],
): PinSpec[] {
  return adoptions.map((adoption) => {
    const home = map.plots.find((entry) => entry.plot === adoption.plot)?.home;
    if (home === undefined)
      throw new InputError(
        `${ADOPTIONS_FILE}: ${adoption.device}`,
        `plot "${adoption.plot}" has no home in ${map.file}`,
      );
    return {
      pin: `${home}/load`,
      home,
      plot: adoption.plot,
      variable: 'load',
      device: adoption.device,
      property: adoption.power ?? null,
      drift: { alpha: 0.2, alarmAtKw: 0.5 },
      adopted: true,
      control: adoption.control,
    };
  });
}
