/**
 * Hardware in the loop: drift between a model variable and the live sensor pinned to it. Each sample gives
 * the residual (sensor − model), its exponentially weighted moving average (EWMA) and an online bias
 * estimate; an alarm is raised when |EWMA| passes the threshold and cleared, with hysteresis, below half of it.
 * Pure: the live hub feeds it one sample per step (hub/live/extensions/drift.ts).
 */

export interface DriftOptions {
  /** EWMA weight of the newest residual, 0 < alpha ≤ 1. */
  alpha: number;
  /** |EWMA| at or above which the alarm is raised, in the variable's unit. */
  alarmAt: number;
  /** |EWMA| below which a raised alarm clears (default half of `alarmAt`). */
  clearBelow?: number;
}

export interface DriftSample {
  modelValue: number;
  sensorValue: number;
  residual: number;
  ewma: number;
  /** The online bias estimate: the mean residual so far (what the operator may add to the model). */
  bias: number;
  samples: number;
  alarm: boolean;
  /** `raised` or `cleared` on the sample that changed the alarm. */
  change?: 'raised' | 'cleared';
}

export class DriftMonitor {
  private ewma = 0;
  private sum = 0;
  private count = 0;
  private alarm = false;
  private readonly clearBelow: number;

  constructor(private readonly options: DriftOptions) {
    if (!(options.alpha > 0 && options.alpha <= 1)) throw new RangeError('alpha must be in (0, 1]');
    if (!(options.alarmAt > 0)) throw new RangeError('alarmAt must be positive');
    this.clearBelow = options.clearBelow ?? options.alarmAt / 2;
  }

  update(modelValue: number, sensorValue: number): DriftSample {
    const residual = sensorValue - modelValue;
    this.ewma =
      this.count === 0 ? residual : this.options.alpha * residual + (1 - this.options.alpha) * this.ewma;
    this.sum += residual;
    this.count++;
    let change: DriftSample['change'];
    if (!this.alarm && Math.abs(this.ewma) >= this.options.alarmAt) {
      this.alarm = true;
      change = 'raised';
    } else if (this.alarm && Math.abs(this.ewma) < this.clearBelow) {
      this.alarm = false;
      change = 'cleared';
    }
    return {
      modelValue,
      sensorValue,
      residual,
      ewma: this.ewma,
      bias: this.sum / this.count,
      samples: this.count,
      alarm: this.alarm,
      ...(change ? { change } : {}),
    };
  }
}
