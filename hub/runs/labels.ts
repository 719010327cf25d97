// Headline figures in words, apart from headline.ts so the dashboard bundle imports no runner code.
/** What each headline figure is called on the dashboard, with its unit. */
const LABELS: Record<string, string> = {
  homes: 'homes',
  days: 'days',
  billsGbp: 'bills (£)',
  billsVsPassiveGbp: 'bills vs passive (£)',
  carbonKg: 'carbon (kg CO₂)',
  carbonVsPassiveKg: 'carbon vs passive (kg CO₂)',
  transformerPeakKw: 'transformer peak (kW)',
  transformerPeakVsPassiveKw: 'transformer peak vs passive (kW)',
  transformerPeakLoadingPct: 'transformer peak loading (% of rating)',
  minVoltageV: 'lowest voltage (V)',
  maxVoltageV: 'highest voltage (V)',
  busMinutesOutsideStatutoryLimits: 'bus-minutes outside 216.2–253 V',
  lossesKwh: 'network losses (kWh)',
  switchesCompleted: 'tariff switches',
  priceOfAnarchy: 'price of anarchy (selfish ÷ central social cost)',
  headroomLostPct: 'headroom lost, selfish vs cooperative (% of rating)',
  cooperativeGapPct: 'cooperative social cost above central (%)',
  runs: 'runs',
  ranNow: 'runs done in this call',
  resumed: 'runs resumed from an earlier call',
  failed: 'runs failed',
  cleanLinksSocialCostGbp: 'social cost with no latency or loss (£)',
  worstSocialCostGbp: 'worst social cost over the grid (£)',
  worstPeakAboveLimitKw: 'worst peak above the limit (kW)',
  honestHomes: 'honest homes',
};

/** A red-team study's rows as the per-row figures name them (a defence row is named by the defence). */
const ROW_NAMES: Record<string, string> = {
  noAttack: 'no attack',
  attack: 'attack, no defence',
  allDefences: 'attack + all defences',
};

/** A headline figure's dashboard label; a PoA study's per-policy figures read "selfish: social cost (£)". */
export function headlineLabel(name: string): string {
  const known = LABELS[name];
  if (known !== undefined) return known;
  const perPolicy = /^(.+)(SocialCostGbp|PeakKw)$/.exec(name);
  if (perPolicy)
    return `${ROW_NAMES[perPolicy[1] as string] ?? perPolicy[1]}: ${perPolicy[2] === 'PeakKw' ? 'transformer peak (kW)' : 'social cost (£)'}`;
  return name;
}
