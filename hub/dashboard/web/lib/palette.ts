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

/** A bus's colour from its voltage (viridis over {@link VOLTAGE_SCALE_VOLTS}). */
export function voltageColour(volts: number): string {
  return viridis((volts - VOLTAGE_SCALE_VOLTS.min) / (VOLTAGE_SCALE_VOLTS.max - VOLTAGE_SCALE_VOLTS.min));
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
