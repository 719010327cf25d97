/**
 * The live street in plain words for a room of people: what the residents' agents decided, and a one-line
 * headline of what just happened. Pure functions of the hub's payloads (no DOM), so they are tested in Node.
 */
import type { FeederLayout } from '../lib/feeder-layout.ts';
import type { LineFlow } from '../lib/flows.ts';
import { formatKw, formatMinuteOfDay, formatPencePerKwh } from '../lib/format.ts';

/** What one home's agent decided this step, as the hub publishes it (the fields used here). */
export interface DecisionFacts {
  home: string;
  policy: string;
  cannotKeep: readonly string[];
  assets: readonly { asset: string; kind: string; pKw: number; plannedPKw: number; boosted: boolean }[];
  evSocPct?: number | undefined;
  batterySocPct?: number | undefined;
  indoorC?: number | undefined;
  importPriceGbpPerKwh: number;
}

const ON_KW = 0.1;
const pctText = (pct: number | undefined) => (pct === undefined ? '' : ` (${Math.round(pct)} % full)`);
const price = (facts: DecisionFacts) => formatPencePerKwh(facts.importPriceGbpPerKwh);

/**
 * One sentence for a home's decision, about its busiest controllable asset: "home-4 is charging its EV at
 * 7.0 kW (62 % full) while power costs 12.0 p/kWh." Null when the home has nothing to decide (no EV, heat pump
 * or battery), so the room is not told "nothing to plan" eight times.
 */
export function decisionSentence(facts: DecisionFacts): string | null {
  const controllable = facts.assets.filter((asset) => asset.kind !== 'pv' && asset.kind !== 'load');
  if (controllable.length === 0) return null;
  const asset = [...controllable].sort((a, b) => Math.abs(b.pKw) - Math.abs(a.pKw))[0];
  if (!asset) return null;
  const who = facts.home;
  const kw = formatKw(Math.abs(asset.pKw));
  const boosted = asset.boosted ? ': the resident pressed boost' : '';
  let sentence: string;
  if (asset.kind === 'ev') {
    sentence =
      asset.pKw > ON_KW
        ? `${who} is charging its EV at ${kw}${pctText(facts.evSocPct)} while power costs ${price(facts)}${boosted}.`
        : asset.pKw < -ON_KW
          ? `${who}'s EV is giving ${kw} back to the house${pctText(facts.evSocPct)}.`
          : `${who}'s EV waits${pctText(facts.evSocPct)}: its agent plans to charge at a better time.`;
  } else if (asset.kind === 'heat-pump') {
    const indoors = facts.indoorC === undefined ? '' : `, indoors ${facts.indoorC.toFixed(1)} °C`;
    sentence =
      asset.pKw > ON_KW
        ? `${who}'s heat pump runs at ${kw}${indoors}${boosted}.`
        : `${who}'s heat pump is off for now${indoors}: the house keeps its warmth.`;
  } else if (asset.kind === 'battery') {
    sentence =
      asset.pKw < -ON_KW
        ? `${who}'s battery powers the house with ${kw}${pctText(facts.batterySocPct)} instead of buying at ${price(facts)}.`
        : asset.pKw > ON_KW
          ? `${who}'s battery is storing ${kw}${pctText(facts.batterySocPct)}.`
          : `${who}'s battery is resting${pctText(facts.batterySocPct)}.`;
  } else {
    sentence = `${who}'s ${asset.kind} uses ${kw}.`;
  }
  const broken = facts.cannotKeep[0];
  return broken ? `${sentence} It cannot keep a promise: ${broken}.` : sentence;
}

/** The decisions worth telling the room, busiest first, at most `count`. */
export function decisionSentences(decisions: Iterable<DecisionFacts>, count: number): string[] {
  return [...decisions]
    .map((facts) => ({
      sentence: decisionSentence(facts),
      kw: Math.max(0, ...facts.assets.filter((a) => a.kind !== 'pv').map((a) => Math.abs(a.pKw))),
    }))
    .filter((entry): entry is { sentence: string; kw: number } => entry.sentence !== null)
    .sort((a, b) => b.kw - a.kw)
    .slice(0, count)
    .map((entry) => entry.sentence);
}

/** What the headline compares between two moments of the street. */
export interface StreetMoment {
  minuteOfDay: number;
  importPriceGbpPerKwh: number | null;
  priceBand: string | null;
  /** Every table asset's power by asset id, with its kind and home. */
  assets: ReadonlyMap<string, { kind: string; home: string; pKw: number }>;
  /** Each line's loading, % of its rating (null: unrated). */
  lineLoadingPct: ReadonlyMap<string, number | null>;
  transformerPct: number;
  vMin: { volts: number; bus: string };
}

const NUMBER_WORDS = ['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten'];
const KIND_NAMES: Readonly<Record<string, [string, string]>> = {
  ev: ['EV', 'EVs'],
  'heat-pump': ['heat pump', 'heat pumps'],
  battery: ['battery', 'batteries'],
  pv: ['solar panel', 'solar panels'],
};
const STARTS: Readonly<Record<string, [string, string]>> = {
  ev: ['started charging', 'stopped charging'],
  'heat-pump': ['switched on', 'switched off'],
  battery: ['started working', 'went idle'],
  pv: ['started generating', 'stopped generating'],
};

function counted(count: number, kind: string): string {
  const [one, many] = KIND_NAMES[kind] ?? [kind, `${kind}s`];
  return `${NUMBER_WORDS[count] ?? String(count)} ${count === 1 ? one : many}`;
}

/** "the cable to home-7", "the cable feeding home-5 to home-8 (4 homes)" or "the main cable". */
export function cableName(flow: LineFlow | undefined, line: string, allHomes: number): string {
  const beyond = flow?.plotsBeyond ?? [];
  if (beyond.length === 1) return `the cable to ${beyond[0]}`;
  if (beyond.length > 1 && beyond.length < allHomes)
    return `the cable feeding ${beyond.length} homes (${beyond[0]} to ${beyond.at(-1)})`;
  if (beyond.length === allHomes && allHomes > 0) return 'the main cable';
  return `cable ${line}`;
}

/**
 * One line of what just happened, in plain words, from the moment before and now: what switched on or off and
 * why (a price change), and what it does to the street (the busiest cable, the transformer, the lowest voltage).
 * "Three EVs started charging at 23:30 when the price fell to 12.0 p/kWh: the cable to home-7 is at 96 %."
 * Null when nothing worth a headline happened (the last one stays up).
 */
export function headline(
  before: StreetMoment | null,
  now: StreetMoment,
  layout: FeederLayout,
  flows: ReadonlyMap<string, LineFlow>,
): string | null {
  const changes: string[] = [];
  if (before) {
    const started = new Map<string, number>();
    const stopped = new Map<string, number>();
    for (const [asset, { kind, pKw }] of now.assets) {
      const was = Math.abs(before.assets.get(asset)?.pKw ?? 0) > ON_KW;
      const is = Math.abs(pKw) > ON_KW;
      if (is && !was) started.set(kind, (started.get(kind) ?? 0) + 1);
      if (was && !is) stopped.set(kind, (stopped.get(kind) ?? 0) + 1);
    }
    for (const [asset, { kind, pKw }] of before.assets) {
      if (!now.assets.has(asset) && Math.abs(pKw) > ON_KW) stopped.set(kind, (stopped.get(kind) ?? 0) + 1);
    }
    for (const [kind, count] of started)
      if (kind !== 'pv') changes.push(`${counted(count, kind)} ${STARTS[kind]?.[0] ?? 'started'}`);
    for (const [kind, count] of stopped)
      if (kind !== 'pv') changes.push(`${counted(count, kind)} ${STARTS[kind]?.[1] ?? 'stopped'}`);
  }
  let why = '';
  if (before && now.importPriceGbpPerKwh !== null && before.importPriceGbpPerKwh !== null) {
    const delta = now.importPriceGbpPerKwh - before.importPriceGbpPerKwh;
    if (Math.abs(delta) >= 0.005) {
      const band = now.priceBand && now.priceBand !== before.priceBand ? ` (${now.priceBand})` : '';
      why = ` when the price ${delta < 0 ? 'fell' : 'rose'} to ${formatPencePerKwh(now.importPriceGbpPerKwh)}${band}`;
    }
  }
  if (changes.length === 0 && why === '') return null;

  // The consequence: the busiest cable, else the transformer; the lowest voltage if it left the band.
  let busiest: { line: string; pct: number } | null = null;
  for (const [line, pct] of now.lineLoadingPct) {
    if (pct !== null && (busiest === null || pct > busiest.pct)) busiest = { line, pct };
  }
  const homes = layout.plots.length;
  const effects: string[] = [];
  if (busiest && busiest.pct >= now.transformerPct)
    effects.push(
      `${cableName(flows.get(busiest.line), busiest.line, homes)} is at ${Math.round(busiest.pct)} %`,
    );
  else effects.push(`the transformer is at ${Math.round(now.transformerPct)} %`);
  if (now.vMin.volts < 216.2)
    effects.push(`bus ${now.vMin.bus} is down to ${now.vMin.volts.toFixed(0)} V, below the legal 216 V`);
  const what = changes.length > 0 ? joinWords(changes) : 'Prices changed';
  const at = ` at ${formatMinuteOfDay(now.minuteOfDay)}`;
  return `${what}${at}${why}: ${joinWords(effects)}.`;
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  const [first, ...rest] = parts;
  return `${first}${rest.length > 1 ? `, ${rest.slice(0, -1).map(lower).join(', ')}` : ''} and ${lower(rest.at(-1) ?? '')}`;
}

const lower = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0]?.toLowerCase() + text.slice(1) : text);

/**
 * An agent's explanation with its objective said in words: "(weights cost 1/carbon 0/autarky 0)" becomes
 * "(the resident cares about cost only)", and "(weights cost 1/carbon 0.2/autarky 0)" becomes "(the resident
 * weighs cost 1, carbon 0.2)".
 */
export function plainExplanation(explanation: string): string {
  return explanation.replace(
    /\(weights cost ([\d.]+)\/carbon ([\d.]+)\/autarky ([\d.]+)\)/g,
    (_match, cost: string, carbon: string, autarky: string) => {
      const weights = [
        ['cost', cost],
        ['carbon', carbon],
        ['self-sufficiency', autarky],
      ].filter(([, value]) => Number(value) > 0);
      if (weights.length === 0) return '(the resident set no preference)';
      if (weights.length === 1) return `(the resident cares about ${weights[0]?.[0]} only)`;
      return `(the resident weighs ${weights.map(([name, value]) => `${name} ${value}`).join(', ')})`;
    },
  );
}
