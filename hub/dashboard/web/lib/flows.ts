import type { FeederLayout } from './feeder-layout.ts';

/** The power through one line, from the substation's side (`fromBus` as drawn) to the far side. */
export interface LineFlow {
  line: string;
  /** The bus nearer the substation, and the one beyond. */
  nearBus: string;
  farBus: string;
  /** Active power flowing from `nearBus` to `farBus` (negative: back towards the substation, e.g. PV export). */
  pKw: number;
  /** The plots (homes) beyond the line. */
  plotsBeyond: string[];
}

/**
 * Each line's active power, from the radial street's shape: the power drawn by every bus beyond the line
 * (the homes and assets there), so its sign gives the direction and its size the amount. Line losses are left
 * out (they are a few per cent on an LV street). `busPKw`: each bus's drawn power, kW (negative = export).
 */
export function lineFlowsKw(layout: FeederLayout, busPKw: ReadonlyMap<string, number>): LineFlow[] {
  const root = layout.transformer?.lvBus ?? layout.buses[0]?.bus;
  if (root === undefined) return [];
  const neighbours = new Map<string, { bus: string; line: string }[]>();
  for (const line of layout.lines) {
    neighbours.set(line.fromBus, [
      ...(neighbours.get(line.fromBus) ?? []),
      { bus: line.toBus, line: line.line },
    ]);
    neighbours.set(line.toBus, [
      ...(neighbours.get(line.toBus) ?? []),
      { bus: line.fromBus, line: line.line },
    ]);
  }
  // Breadth first from the substation: each bus's parent, and the order to sum the power back up in.
  const parent = new Map<string, { bus: string; line: string }>();
  const order: string[] = [root];
  const seen = new Set([root]);
  for (let i = 0; i < order.length; i++) {
    const bus = order[i] as string;
    for (const next of neighbours.get(bus) ?? []) {
      if (seen.has(next.bus)) continue;
      seen.add(next.bus);
      parent.set(next.bus, { bus, line: next.line });
      order.push(next.bus);
    }
  }
  const plotsAt = new Map<string, string[]>();
  for (const plot of layout.plots)
    plotsAt.set(plot.bus, [...(plotsAt.get(plot.bus) ?? []), plot.home ?? plot.plot]);
  const below = new Map<string, number>(order.map((bus) => [bus, busPKw.get(bus) ?? 0]));
  const plotsBelow = new Map<string, string[]>(order.map((bus) => [bus, [...(plotsAt.get(bus) ?? [])]]));
  const flows: LineFlow[] = [];
  for (let i = order.length - 1; i > 0; i--) {
    const bus = order[i] as string;
    const up = parent.get(bus);
    if (!up) continue;
    const pKw = below.get(bus) ?? 0;
    const plots = plotsBelow.get(bus) ?? [];
    below.set(up.bus, (below.get(up.bus) ?? 0) + pKw);
    plotsBelow.get(up.bus)?.push(...plots);
    flows.push({ line: up.line, nearBus: up.bus, farBus: bus, pKw, plotsBeyond: plots });
  }
  return flows;
}

/**
 * Each bus's drawn power for {@link lineFlowsKw}: the reported buses (homes and table assets), and the
 * shared battery where it connects (charging draws, discharging feeds the street), unless its bus is a reported
 * one (whose figure already holds it).
 */
export function busDrawKw(
  buses: Iterable<{ bus: string; loadPKw: number }>,
  battery: { bus: string; chargeKw: number; dischargeKw: number } | null,
): Map<string, number> {
  const draw = new Map<string, number>();
  for (const bus of buses) draw.set(bus.bus, bus.loadPKw);
  if (battery && !draw.has(battery.bus)) draw.set(battery.bus, battery.chargeKw - battery.dischargeKw);
  return draw;
}
