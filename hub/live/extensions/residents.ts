import {
  gridflexTopics,
  type HomeDecision,
  ResidentBoostSchema,
  ResidentPreferencesSchema,
} from '../../../protocol/gridflex.js';
import { getHighs } from '../../agents/registry.js';
import { HomeAgents } from '../../table/home-agents.js';
import type { StepEvent } from '../event-bus.js';
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
  private readonly planningTotals = { ms: 0, plans: 0, steps: 0, maxStepMs: 0 };

  constructor(private readonly hub: HubContext) {}

  async start(): Promise<void> {
    const { bus, controls, map, table, network } = this.hub;
    this.agents = new HomeAgents(map, table, network, await getHighs());
    controls.handle('resident-preferences', (request) => this.setPreferences(request));
    controls.handle('resident-boost', (request) => this.boost(request));
    bus.on('deviceMessage', this, ({ topic, payload }) => this.onDeviceMessage(topic, payload));
    bus.on('pricesChanged', this, () => this.agents?.invalidatePlans());
    bus.on('clockJumped', this, () => this.agents?.invalidatePlans());
    bus.on('step', this, (event) => this.onStep(event));
    bus.on('published', this, () => this.publishDecisions());
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
    this.hub.controls.remove('resident-preferences');
    this.hub.controls.remove('resident-boost');
    this.agents?.dispose();
    this.logPlanningTotals();
  }

  snapshot() {
    return {
      preferences: this.agents?.preferencesByHome() ?? {},
      decisions: Object.fromEntries(this.decisions),
    };
  }

  /** A board that (re)started has lost its set-points: send them again at the next step. */
  private onDeviceMessage(topic: string, payload: Buffer): void {
    if (!topic.endsWith('/$state') || payload.toString() !== 'ready') return;
    const prefix = topic.slice(0, -'$state'.length);
    for (const commandTopic of this.lastCommands.keys()) {
      if (commandTopic.startsWith(prefix)) this.lastCommands.delete(commandTopic);
    }
  }

  private async onStep({ clock }: StepEvent): Promise<void> {
    if (!this.agents) return;
    const acted = this.agents.step(clock, this.hub.market);
    this.planningTotals.ms += acted.planningMs;
    this.planningTotals.plans += acted.plansMade;
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

  private async publishDecisions(): Promise<void> {
    for (const decision of this.decisions.values()) {
      await this.hub.publishJson(gridflexTopics.homeDecision(decision.home), decision, true, 0);
    }
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
    const { ms, plans, steps, maxStepMs } = this.planningTotals;
    if (steps === 0) return;
    this.hub.log(
      'info',
      `agents: ${plans} plans in ${ms.toFixed(0)} ms over ${steps} steps (${plans > 0 ? (ms / plans).toFixed(2) : '0'} ms a plan, ${(ms / steps).toFixed(2)} ms a step on average, ${maxStepMs.toFixed(1)} ms at most)`,
    );
  }
}
