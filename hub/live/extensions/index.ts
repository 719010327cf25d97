import { AgentCallsExtension } from './agent-calls.js';
import { AssemblyBatteryExtension } from './assembly-battery.js';
import { BoardLinksExtension } from './board-links.js';
import { ClockControlExtension } from './clock-control.js';
import { DriftExtension } from './drift.js';
import { EbusStreetExtension } from './ebus-street.js';
import type { ExtensionFactory } from './extension.js';
import { ExternalAgentsExtension } from './external-agents.js';
import { LimitsMetricsExtension } from './limits-metrics.js';
import { LockstepExtension } from './lockstep.js';
import { MarketExtension } from './market.js';
import { MeterExtension } from './meter.js';
import { PinsExtension } from './pins.js';
import { ResidentsExtension } from './residents.js';
import { TableExtension } from './table.js';

/**
 * The live hub's features, in the order they start and handle each bus event (they stop last first). A step
 * first waits for the lockstep participants (clock mode `lockstep`), then puts the pinned sensors' values in place
 * of the model's (hardware in the loop), then runs the market, then the residents'
 * agents, then the shared battery, before the power flow; after it, limits and metrics, then the table's
 * saving, then the meters' readings on the homes and their drift from the model; each board's round-trip time and
 * loss are measured on a wall-clock timer of their own. A new live feature is one
 * file in this folder and one entry here.
 */
export const EXTENSIONS: readonly ExtensionFactory[] = [
  (hub) => new LockstepExtension(hub),
  (hub) => new PinsExtension(hub),
  (hub) => new MarketExtension(hub),
  (hub) => new ResidentsExtension(hub),
  (hub) => new AssemblyBatteryExtension(hub),
  (hub) => new LimitsMetricsExtension(hub),
  (hub) => new TableExtension(hub),
  (hub) => new ClockControlExtension(hub),
  (hub) => new MeterExtension(hub),
  (hub) => new DriftExtension(hub),
  (hub) => new EbusStreetExtension(hub),
  (hub) => new AgentCallsExtension(hub),
  (hub) => new ExternalAgentsExtension(hub),
  (hub) => new BoardLinksExtension(hub),
];
