/**
 * Colour-blind-safe colours: the Okabe–Ito qualitative palette for categories and viridis for continuous
 * values (perceptually uniform, readable in grey and by people with colour-vision deficiencies).
 * Values that matter (out of band, overloaded) are also shown by shape or text, never by colour alone.
 */

/** Okabe & Ito (2008), "Color Universal Design". */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/** A colour for each asset kind (used for its icon, its chart series and its legend). */
export const ASSET_COLOURS: Readonly<Record<string, string>> = {
  pv: OKABE_ITO.orange,
  ev: OKABE_ITO.blue,
  'heat-pump': OKABE_ITO.vermillion,
  battery: OKABE_ITO.bluishGreen,
  load: OKABE_ITO.reddishPurple,
  base: '#6b6b6b',
};

/** viridis sampled at 0, 1/8, …, 1 (matplotlib's table). */
const VIRIDIS_STOPS: readonly [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** viridis at `t` in 0…1 (clamped), as `rgb(…)`. */
export function viridis(t: number): string {
  const clamped = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const position = clamped * (VIRIDIS_STOPS.length - 1);
  const index = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(position));
  const fraction = position - index;
  const low = VIRIDIS_STOPS[index] as [number, number, number];
  const high = VIRIDIS_STOPS[index + 1] as [number, number, number];
  const channel = (i: 0 | 1 | 2) => Math.round(low[i] + (high[i] - low[i]) * fraction);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** The GB statutory band at the customer (ESQCR 2002): 230 V +10 % / −6 %. */
export const STATUTORY_BAND_VOLTS = { min: 216.2, max: 253 } as const;

/** The voltage range the bus colour scale spans (a little beyond the statutory band on both sides). */
export const VOLTAGE_SCALE_VOLTS = { min: 210, max: 258 } as const;

/**
 * Where the voltage scale puts its colours: piecewise linear, with most of its range spent where LV streets
 * actually sit (about 235–253 V, near the top of the band on a lightly loaded street), so a street at 248–253 V
 * shows several colours rather than one. Pairs of volts and the position 0…1 on viridis.
 */
export const VOLTAGE_SCALE_STOPS: readonly (readonly [number, number])[] = [
  [VOLTAGE_SCALE_VOLTS.min, 0],
  [STATUTORY_BAND_VOLTS.min, 0.08],
  [230, 0.22],
  [240, 0.42],
  [245, 0.55],
  [250, 0.75],
  [STATUTORY_BAND_VOLTS.max, 0.9],
  [VOLTAGE_SCALE_VOLTS.max, 1],
];

/** A voltage's position 0…1 on the colour scale (clamped; see {@link VOLTAGE_SCALE_STOPS}). */
export function voltagePosition(volts: number): number {
  const stops = VOLTAGE_SCALE_STOPS;
  const first = stops[0] as readonly [number, number];
  const last = stops[stops.length - 1] as readonly [number, number];
  if (!(volts > first[0])) return first[1];
  if (volts >= last[0]) return last[1];
  for (let i = 1; i < stops.length; i++) {
    const [v1, t1] = stops[i] as readonly [number, number];
    const [v0, t0] = stops[i - 1] as readonly [number, number];
    if (volts <= v1) return t0 + ((volts - v0) / (v1 - v0)) * (t1 - t0);
  }
  return last[1];
}

/** A bus's colour from its voltage (viridis, spread over the volts streets sit at: {@link voltagePosition}). */
export function voltageColour(volts: number): string {
  return viridis(voltagePosition(volts));
}

/**
 * A line's colour from its loading, continuous so that a cable going from 10 % to 40 % visibly changes:
 * pale blue (idle) through dark blue (half) to orange (80 %) and vermillion (100 %), then reddish purple.
 * Blue against orange/vermillion stays distinct for every common colour-vision deficiency, and lightness
 * falls as loading rises, so the order also reads in grey.
 */
const LOADING_COLOUR_STOPS: readonly (readonly [number, readonly [number, number, number]])[] = [
  [0, [178, 214, 236]],
  [50, [0, 114, 178]],
  [80, [230, 159, 0]],
  [100, [213, 94, 0]],
  [130, [136, 34, 85]],
];

/** The continuous line colour for `pct` per cent of the rating, as `rgb(…)`. */
export function loadingColour(pct: number): string {
  const stops = LOADING_COLOUR_STOPS;
  const clamped = Number.isFinite(pct) ? Math.min(130, Math.max(0, pct)) : 0;
  let index = 1;
  while (index < stops.length - 1 && clamped > (stops[index] as (typeof stops)[number])[0]) index++;
  const [p0, c0] = stops[index - 1] as (typeof stops)[number];
  const [p1, c1] = stops[index] as (typeof stops)[number];
  const f = p1 === p0 ? 0 : (clamped - p0) / (p1 - p0);
  const channel = (i: 0 | 1 | 2) => Math.round(c0[i] + (c1[i] - c0[i]) * f);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** Loading classes of lines and the transformer: colour and a word, so the class never rests on colour alone. */
export const LOADING_CLASSES = [
  { belowPct: 50, colour: OKABE_ITO.bluishGreen, label: 'light' },
  { belowPct: 80, colour: OKABE_ITO.skyBlue, label: 'moderate' },
  { belowPct: 100, colour: OKABE_ITO.orange, label: 'high' },
  { belowPct: Number.POSITIVE_INFINITY, colour: OKABE_ITO.vermillion, label: 'overloaded' },
] as const;

/** The loading class of a line or transformer loaded at `pct` per cent of its rating. */
export function loadingClass(pct: number): (typeof LOADING_CLASSES)[number] {
  return LOADING_CLASSES.find((entry) => pct < entry.belowPct) ?? LOADING_CLASSES[3];
}
