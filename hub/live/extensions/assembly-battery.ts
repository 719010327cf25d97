import { AssemblyBatteryRulesSchema, type Clock, gridflexTopics } from '../../../protocol/gridflex.js';
import { InputError } from '../../errors.js';
import { LiveSharedBattery } from '../../table/shared-battery.js';
import type { StepEvent } from '../event-bus.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

/**
 * The street's shared battery under the citizens' assembly's rules (a control): it answers the homes' net
 * power every step before the power flow, and its state goes out on `gridflex/v1/shared-battery`.
 */
export class AssemblyBatteryExtension implements Extension {
  readonly name = 'assembly-battery';
  private readonly battery: LiveSharedBattery | null;

  constructor(private readonly hub: HubContext) {
    this.battery = hub.map.sharedBattery ? new LiveSharedBattery(hub.map.sharedBattery) : null;
  }

  start(): void {
    const { bus, controls } = this.hub;
    controls.handle('assembly-battery-rules', (request) => this.setRules(request));
    bus.on('step', this, (event) => this.onStep(event));
    bus.on('published', this, ({ clock }) => this.publish(clock));
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
    this.hub.controls.remove('assembly-battery-rules');
  }

  snapshot() {
    const clock = this.hub.clock.snapshot();
    return { sharedBattery: this.battery?.snapshot(clock.step, clock.simTime) ?? null };
  }

  private onStep(event: StepEvent): void {
    const { clock, simTime } = event;
    event.sharedBatteryPKw =
      this.battery?.step(simTime, clock.stepMinutes, this.hub.feeder.homeNetPowerKw(clock)) ?? 0;
  }

  private publish(clock: Clock = this.hub.clock.snapshot()): Promise<void> {
    if (!this.battery) return Promise.resolve();
    return this.hub.publishJson(
      gridflexTopics.sharedBattery(),
      this.battery.snapshot(clock.step, clock.simTime),
      true,
      0,
    );
  }

  private setRules({ body, who, now }: ControlRequest): ControlAnswer {
    const rules = AssemblyBatteryRulesSchema.parse(body);
    if (!this.battery) {
      return {
        accepted: false,
        reason: 'this table has no shared battery (add sharedBattery: to the table map)',
      };
    }
    try {
      const changed = this.battery.setRules(rules, who, now);
      const reason = `shared battery rules changed: ${changed.join(', ')}`;
      this.hub.activity.event({
        kind: 'shared-battery-rules-changed',
        severity: 'info',
        message: `assembly: ${reason}`,
      });
      this.publish().catch(() => {});
      this.hub.bus.emit('sharedBatteryRules', { rules, who, now }).catch(() => {});
      return { accepted: true, reason };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { accepted: false, reason: error.problem };
    }
  }
}
