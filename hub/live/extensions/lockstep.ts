import { COSIM_PARTICIPANT_FILTER, type CosimParticipants, cosimTopics } from '../../../protocol/cosim.js';
import { HOMIE_ROOT, parseHomieTopic } from '../../../protocol/homie.js';
import { LockstepCoordinator } from '../../cosim/lockstep.js';
import { LimitWatch } from '../../table/limit-watch.js';
import type { Extension, HubContext } from './extension.js';

/**
 * The `lockstep` clock mode (the table map's `clock.mode`): at the start of every step, before the market,
 * the agents and the power flow, the hub announces the step on `gridflex/v1/cosim/step` and waits for every
 * registered participant's outputs (or its timeout policy). Participant messages are handled as they arrive,
 * not behind the step queue, so an answer, a leave or a timeout always ends the wait. Event-driven participants
 * sleep until their step, their time or an event it passes on (prices changed, a limit breached, a board's
 * property took a new value). In other modes it does nothing.
 */
export class LockstepExtension implements Extension {
  readonly name = 'lockstep';
  private coordinator: LockstepCoordinator | undefined;
  private readonly limits = new LimitWatch();
  /** The last value of each board property, so only a new value wakes anyone. */
  private readonly propertyValues = new Map<string, string>();

  constructor(private readonly hub: HubContext) {}

  async start(): Promise<void> {
    const { clock } = this.hub.map;
    if (clock.mode !== 'lockstep') return;
    const coordinator = new LockstepCoordinator({
      policy: clock.lockstep.policy,
      timeoutMs: clock.lockstep.timeoutMs,
      publish: (topic, body, retain, qos) => this.hub.publishJson(topic, body, retain, qos),
      log: (level, message) => this.hub.log(level, message),
    });
    this.coordinator = coordinator;
    await this.hub.link.subscribeWithSender(COSIM_PARTICIPANT_FILTER, (topic, payload, sender) => {
      try {
        // The embedded broker names the user and checked the payload; behind an external broker its ACL
        // checked the topic, and the coordinator checks the payload.
        coordinator.onMessage(topic, payload, sender?.username ?? null, sender != null);
      } catch (error) {
        this.hub.log('error', `cosim: ${topic}: ${(error as Error).message}`);
      }
    });
    // Every board property value (the hub's device tracker reads only a few), for wake-ups on a new value.
    await this.hub.link.subscribe(`${HOMIE_ROOT}/+/+/+`, (topic, payload) =>
      this.onPropertyValue(topic, payload),
    );
    this.hub.bus.on('step', this, async ({ clock: step }) => {
      await coordinator.runStep(step.step, step.simTime, step.stepMinutes);
    });
    this.hub.bus.on('pricesChanged', this, () => coordinator.wake({ on: 'prices' }));
    this.hub.bus.on('solved', this, ({ result }) => {
      if (this.limits.check(result.summary).some((change) => change.breached))
        coordinator.wake({ on: 'limit-breach' });
    });
    this.hub.bus.on('reconnected', this, () => coordinator.reannounce());
    this.hub.bus.on('started', this, () =>
      this.hub.publishJson(cosimTopics.participants(), coordinator.snapshot(), true, 1),
    );
  }

  private onPropertyValue(topic: string, payload: Buffer): void {
    const parsed = parseHomieTopic(topic);
    if (parsed?.kind !== 'property') return;
    const value = payload.toString();
    const before = this.propertyValues.get(topic);
    this.propertyValues.set(topic, value);
    if (value === before || !this.coordinator?.watchesEvents()) return;
    const property = `${parsed.nodeId}/${parsed.propertyId}`;
    this.coordinator.wake({ on: 'property', device: parsed.deviceId, property });
  }

  /** The hub is stopping: a step waiting for participants ends now. */
  interrupt(): void {
    this.coordinator?.stop();
  }

  stop(): void {
    this.coordinator?.stop();
    this.hub.bus.removeListeners(this);
  }

  snapshot(): { cosim?: CosimParticipants } {
    return this.coordinator ? { cosim: this.coordinator.snapshot() } : {};
  }
}
