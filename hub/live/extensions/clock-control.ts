import { type ClockControl, ClockControlSchema, gridflexTopics } from '../../../protocol/gridflex.js';
import type { ControlAnswer, Extension, HubContext } from './extension.js';

/** Simulated times a jump may go to (the feeder profiles and tariffs are daily, but dates must stay sane). */
const JUMP_RANGE = { fromYear: 2000, toYear: 2100 } as const;

/**
 * The operator's (or regulator's) clock control: play, pause, step, speed up or jump. The new clock goes
 * out on `gridflex/v1/clock` and the room is told, after the steps the control queued.
 */
export class ClockControlExtension implements Extension {
  readonly name = 'clock-control';

  constructor(private readonly hub: HubContext) {}

  start(): void {
    this.hub.controls.handle('clock', ({ body }) => this.apply(ClockControlSchema.parse(body)));
  }

  stop(): void {
    this.hub.controls.remove('clock');
  }

  private apply(control: ClockControl): ControlAnswer {
    const answer = this.change(control);
    if ('refused' in answer) return { accepted: false, reason: answer.refused };
    if ('unchanged' in answer) return { accepted: true, reason: answer.unchanged };
    const { reason } = answer;
    this.hub.enqueue(async () => {
      await this.hub.publishJson(gridflexTopics.clock(), this.hub.clock.snapshot(), true, 0);
      this.hub.activity.event({ kind: 'clock-changed', severity: 'info', message: `clock: ${reason}` });
    });
    return { accepted: true, reason };
  }

  /** Applies the control; says what changed, or why nothing did. */
  private change(control: ClockControl): { reason: string } | { unchanged: string } | { refused: string } {
    const { clock } = this.hub;
    switch (control.action) {
      case 'play':
        if (clock.isRunning) return { unchanged: 'already running' };
        clock.setRunning(true);
        this.hub.schedule();
        return { reason: `playing from ${this.label()} at one step every ${clock.stepMs} ms` };
      case 'pause':
        if (!clock.isRunning) return { unchanged: 'already paused' };
        clock.setRunning(false);
        this.hub.schedule();
        return { reason: `paused at ${this.label()}` };
      case 'step':
        return { reason: this.queueSteps(control.count ?? 1) };
      case 'speed':
        if (control.stepMs < 10 && this.hub.map.clock.mode !== 'lockstep')
          return { refused: `stepMs ${control.stepMs}: at least 10 unless the clock mode is lockstep` };
        clock.setStepMs(control.stepMs);
        this.hub.schedule();
        return {
          reason: `one step every ${control.stepMs} ms (${((clock.snapshot().stepMinutes * 1000) / control.stepMs).toFixed(1)} simulated minutes per second)`,
        };
      case 'jump':
        return this.jump(control.to);
    }
  }

  private queueSteps(count: number): string {
    const reason = `${count} step${count === 1 ? '' : 's'} from ${this.label()}`;
    for (let index = 0; index < count; index++) this.hub.enqueue(() => this.hub.step());
    return reason;
  }

  private jump(text: string): { reason: string } | { refused: string } {
    const to = new Date(text);
    const year = to.getUTCFullYear();
    if (year < JUMP_RANGE.fromYear || year > JUMP_RANGE.toYear) {
      return { refused: `${text} is outside ${JUMP_RANGE.fromYear}–${JUMP_RANGE.toYear}` };
    }
    this.hub.enqueue(async () => {
      this.hub.clock.jumpTo(to);
      await this.hub.bus.emit('clockJumped', { to });
    });
    return { reason: `jumped to ${text}` };
  }

  private label(): string {
    return this.hub.clock.simTime.toISOString().slice(0, 16).replace('T', ' ');
  }
}
