import {
  gridflexTopics,
  type HomeDecision,
  type LiveComparison,
  type LivePolicy,
  ResidentBoostSchema,
  ResidentPreferencesSchema,
  type StreetFigures,
  TablePolicySchema,
  TableRedTeamSchema,
} from '../../../protocol/gridflex.js';
import { DEFAULT_LIVE_SHADOWS, getHighs, POLICY_NAMES, policyDescription } from '../../agents/registry.js';
import { parseLiveRedTeam } from '../../redteam/registry.js';
import { HomeAgents } from '../../table/home-agents.js';
import type { LoadedTableMap } from '../../table/map-config.js';
import { PLAN_WORKER } from '../../table/plan-thread.js';
import type { SolvedEvent, StepEvent } from '../event-bus.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

/**
 * The residents: each home's agent plans its assets every step from the prices in force and its
 * resident's preferences (controls), boosts on request, explains its decisions on
 * `gridflex/v1/homes/<home>/decision`, and sends the set-points to the boards that host the assets.
 */
export class ResidentsExtension implements Extension {
  readonly name = 'residents';
  private agents: HomeAgents | undefined;
  private readonly decisions = new Map<string, HomeDecision>();
  /** Last value sent to each `/set` topic, so the hub only sends changes. */
  private readonly lastCommands = new Map<string, number | boolean | string>();
  /** Wall time the agents spent planning, the plans made and the steps taken since start (logged at stop). */
  private readonly planningTotals = { ms: 0, plans: 0, steps: 0, maxStepMs: 0, shadowMs: 0, shadowPlans: 0 };

  constructor(private readonly hub: HubContext) {}

  async start(): Promise<void> {
    const { bus, controls, map, table, network } = this.hub;
    const policy = map.live.policy;
    const shadows = map.live.shadows ?? DEFAULT_LIVE_SHADOWS;
    const limit = map.live.limitKw === undefined ? {} : { limitKw: map.live.limitKw };
    this.agents = new HomeAgents(map, table, network, await getHighs(), {
      policy,
      shadows,
      ...limit,
      planThread: PLAN_WORKER,
    });
    if (this.hub.redTeamBroker)
      this.agents.redTeam.useBroker(this.hub.redTeamBroker, (home, kind) => boardOf(map, home, kind));
    controls.handle('resident-preferences', (request) => this.setPreferences(request));
    controls.handle('table-policy', (request) => this.setPolicy(request));
    controls.handle('resident-boost', (request) => this.boost(request));
    controls.handle('table-red-team', (request) => this.setRedTeam(request));
    bus.on('deviceMessage', this, ({ topic, payload }) => this.onDeviceMessage(topic, payload));
    bus.on('pricesChanged', this, () => this.agents?.invalidatePlans());
    bus.on('clockJumped', this, () => this.agents?.invalidatePlans());
    bus.on('step', this, (event) => this.onStep(event));
    bus.on('solved', this, (event) => this.onSolved(event));
    bus.on('sharedBatteryRules', this, ({ rules, who, now }) => {
      for (const battery of this.agents?.shadowBatteries() ?? []) battery.setRules(rules, who, now);
    });
    bus.on('started', this, () => this.publishPolicyAndPreferences());
    bus.on('reconnected', this, () => this.publishPolicyAndPreferences());
    bus.on('published', this, (event) => this.publishStep(event));
  }

  async stop(): Promise<void> {
    this.hub.bus.removeListeners(this);
    this.hub.controls.remove('resident-preferences');
    this.hub.controls.remove('resident-boost');
    this.hub.controls.remove('table-policy');
    this.hub.controls.remove('table-red-team');
    this.logPlanningTotals();
    await this.agents?.redTeam.stopClients();
    await this.agents?.dispose();
  }

  snapshot() {
    return {
      preferences: this.agents?.preferencesByHome() ?? {},
      // Every field in force (the resident's over the defaults): what the resident's form starts with.
      preferencesInForce: Object.fromEntries(
        (this.agents?.preferencesInForce() ?? []).map((preferences) => [preferences.home, preferences]),
      ),
      decisions: Object.fromEntries(this.decisions),
      ...(this.agents
        ? {
            livePolicy: this.livePolicy(this.agents),
            comparison: this.comparison,
            redTeam: this.agents.redTeam.status(),
          }
        : {}),
    };
  }

  private comparison: LiveComparison | null = null;

  /** A board that (re)started has lost its set-points: send them again at the next step. */
  private onDeviceMessage(topic: string, payload: Buffer): void {
    if (!topic.endsWith('/$state') || payload.toString() !== 'ready') return;
    const prefix = topic.slice(0, -'$state'.length);
    for (const commandTopic of this.lastCommands.keys()) {
      if (commandTopic.startsWith(prefix)) this.lastCommands.delete(commandTopic);
    }
  }

  private async onStep(event: StepEvent): Promise<void> {
    if (!this.agents) return;
    const acted = await this.agents.step(event.clock, this.hub.market);
    event.addedPlotPKw = acted.addedPlotPKw;
    this.planningTotals.ms += acted.planningMs;
    this.planningTotals.plans += acted.plansMade;
    this.planningTotals.shadowMs += acted.shadowPlanningMs;
    this.planningTotals.shadowPlans += acted.shadowPlansMade;
    this.planningTotals.steps += 1;
    this.planningTotals.maxStepMs = Math.max(this.planningTotals.maxStepMs, acted.planningMs);
    for (const decision of acted.decisions) this.decisions.set(decision.home, decision);
    for (const failure of acted.failures) this.hub.log('error', failure);
    for (const news of acted.news) {
      this.hub.activity.event({
        kind: news.kind,
        severity: 'info',
        message: news.message,
        home: news.home,
        asset: news.asset,
      });
    }
    await this.sendCommands(acted.setpointsKw);
  }

  private async sendCommands(setpointsKw: Map<string, number>): Promise<void> {
    const { devices } = this.hub;
    const commands = devices.padSocCommands((evId) => this.agents?.evSocPct(evId));
    for (const [assetId, kw] of setpointsKw) {
      const command = devices.commandFor(assetId, 'power-kw', kw);
      if (command) commands.push(command);
    }
    for (const command of commands) {
      if (this.lastCommands.get(command.topic) === command.value) continue;
      this.lastCommands.set(command.topic, command.value);
      await this.hub.link.publish(command.topic, String(command.value), { retain: false, qos: 1 });
    }
  }

  /** Books the running street from the published power flow (its shadows book their own). */
  private onSolved({ clock, result }: SolvedEvent): void {
    this.agents?.recordRunning(result.summary, result.homes, this.hub.market, clock);
  }

  private async publishStep({ clock }: SolvedEvent): Promise<void> {
    for (const decision of this.decisions.values()) {
      await this.hub.publishJson(gridflexTopics.homeDecision(decision.home), decision, true, 0);
    }
    if (!this.agents) return;
    const policy = this.agents.policy();
    if (policy.running !== this.announcedPolicy) {
      this.announcedPolicy = policy.running;
      await this.publishPolicy();
      this.hub.activity.event({
        kind: 'policy-changed',
        severity: 'info',
        message: `the residents’ agents now run ${policy.running}: ${policyDescription(policy.running)}`,
      });
    }
    const { running, shadows } = this.agents.comparison();
    this.comparison = {
      step: clock.step,
      simTime: clock.simTime,
      running: wireFigures(running),
      shadows: shadows.map(wireFigures),
      priceOfAnarchy: priceOfAnarchy(shadows),
    };
    await this.hub.publishJson(gridflexTopics.liveComparison(), this.comparison, true, 0);
    await this.hub.publishJson(gridflexTopics.liveRedTeam(), this.agents.redTeam.status(), true, 0);
  }

  private announcedPolicy: string | undefined;

  private async publishPolicy(): Promise<void> {
    if (!this.agents) return;
    this.announcedPolicy ??= this.agents.policy().running;
    await this.hub.publishJson(gridflexTopics.livePolicy(), this.livePolicy(this.agents), true, 1);
  }

  private async publishPolicyAndPreferences(): Promise<void> {
    await this.publishPolicy();
    await this.publishPreferences();
  }

  /** Every home's preferences in force, retained (a resident's agent reads its own). */
  private async publishPreferences(only?: string): Promise<void> {
    for (const preferences of this.agents?.preferencesInForce() ?? []) {
      if (only !== undefined && preferences.home !== only) continue;
      await this.hub.publishJson(gridflexTopics.homePreferences(preferences.home), preferences, true, 1);
    }
  }

  private livePolicy(agents: HomeAgents): LivePolicy {
    const { running, next } = agents.policy();
    return {
      running,
      next,
      description: policyDescription(running),
      available: POLICY_NAMES.map((name) => ({ name, description: policyDescription(name) })),
      shadows: agents.comparison().shadows.map((figures) => figures.policy),
    };
  }

  /** The operator switches the table's policy; it takes effect at the next half-hour. */
  private setPolicy({ body, who }: ControlRequest): ControlAnswer {
    const { policy } = TablePolicySchema.parse(body);
    const answer = this.requireAgents().setPolicy(policy);
    if (answer.accepted) {
      this.hub.log('info', `${who} switches the table to ${policy}`);
      this.hub.activity.event({
        kind: 'policy-changed',
        severity: 'info',
        message: `${who}: ${answer.reason}`,
      });
      this.hub.enqueue(() => this.publishPolicy()).catch(() => {});
    }
    return answer;
  }

  /** The operator starts and stops attacks and defences (the year runs' red team) on the running street. */
  private setRedTeam({ body, who }: ControlRequest): ControlAnswer {
    const { requestId: _requestId, ...section } = TableRedTeamSchema.parse(body);
    const homeIds = this.hub.map.plots.flatMap((plot) => (plot.home === undefined ? [] : [plot.home]));
    const parsed = parseLiveRedTeam(section, homeIds, this.hub.market.redTeam.tariffIds());
    if ('problem' in parsed) return { accepted: false, reason: parsed.problem };
    const answer = this.requireAgents().setRedTeam(parsed.section);
    this.hub.log('info', `${who}: ${answer.reason}`);
    this.hub.activity.event({
      kind: 'red-team-changed',
      severity: 'warning',
      message: `${who}: ${answer.reason}`,
    });
    return answer;
  }

  private setPreferences({ id, body }: ControlRequest): ControlAnswer {
    const home = id as string;
    const answer = this.requireAgents().setPreferences(home, ResidentPreferencesSchema.parse(body));
    if (answer.accepted) {
      this.hub.log('info', `resident ${home} preferences updated`);
      this.hub.activity.event({
        kind: 'preferences-changed',
        severity: 'info',
        message: `${home}: ${answer.reason}`,
        home,
      });
      this.publishPreferences(home).catch(() => {});
    }
    return answer;
  }

  private boost({ id, body, simTime }: ControlRequest): ControlAnswer {
    const home = id as string;
    const boost = ResidentBoostSchema.parse(body);
    const answer = this.requireAgents().boost(home, boost.asset, boost.minutes, simTime, this.hub.market);
    if (answer.accepted) {
      this.hub.activity.event({
        kind: boost.minutes > 0 ? 'boost-started' : 'boost-ended',
        severity: 'info',
        message: `${home}: ${answer.reason}`,
        home,
        asset: boost.asset,
      });
    }
    return answer;
  }

  private requireAgents(): HomeAgents {
    if (!this.agents) throw new Error('the agents are not started yet');
    return this.agents;
  }

  private logPlanningTotals(): void {
    const { ms, plans, steps, maxStepMs, shadowMs, shadowPlans } = this.planningTotals;
    if (steps === 0) return;
    this.hub.log(
      'info',
      `agents: ${plans} plans in ${ms.toFixed(0)} ms over ${steps} steps (${plans > 0 ? (ms / plans).toFixed(2) : '0'} ms a plan, ${(ms / steps).toFixed(2)} ms a step on average, ${maxStepMs.toFixed(1)} ms at most); the shadow runs ${shadowPlans} plans in ${shadowMs.toFixed(0)} ms`,
    );
  }
}

/** A street's figures on the wire (no infinities before its first step). */
function wireFigures(
  figures: StreetFigures & { minVolts: number | null; maxVolts: number | null },
): StreetFigures {
  const finite = (value: number | null) => (value !== null && Number.isFinite(value) ? round3(value) : null);
  return {
    ...figures,
    peakKw: round3(figures.peakKw),
    billsGbp: round3(figures.billsGbp),
    minVolts: finite(figures.minVolts),
    maxVolts: finite(figures.maxVolts),
  };
}

/** Selfish over central (bills and transformer peak) among the shadow runs, when both have run. */
function priceOfAnarchy(streets: readonly StreetFigures[]): LiveComparison['priceOfAnarchy'] {
  const selfish = streets.find((street) => street.policy === 'selfish' && street.steps > 0);
  const central = streets.find((street) => street.policy === 'central' && street.steps > 0);
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined || b <= 0 ? null : round3(a / b);
  return {
    bills: ratio(selfish?.billsGbp, central?.billsGbp),
    peak: ratio(selfish?.peakKw, central?.peakKw),
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The board hosting a home's asset of this kind on the table map (a demo board is named as its asset). */
function boardOf(map: LoadedTableMap, home: string, kind: string): string | undefined {
  const plots = new Set(map.plots.filter((plot) => plot.home === home).map((plot) => plot.plot));
  return map.assets.find((asset) => asset.kind === kind && asset.plot !== undefined && plots.has(asset.plot))
    ?.asset;
}
