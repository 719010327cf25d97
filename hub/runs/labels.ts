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
};

/** A headline figure's dashboard label; a PoA study's per-policy figures read "selfish: social cost (£)". */
export function headlineLabel(name: string): string {
  const known = LABELS[name];
  if (known !== undefined) return known;
  const perPolicy = /^(.+)(SocialCostGbp|PeakKw)$/.exec(name);
  if (perPolicy)
    return `${perPolicy[1]}: ${perPolicy[2] === 'PeakKw' ? 'transformer peak (kW)' : 'social cost (£)'}`;
  return name;
}
