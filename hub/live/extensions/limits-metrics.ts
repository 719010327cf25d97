import { type Clock, type FeederSummary, gridflexTopics, type Metrics } from '../../../protocol/gridflex.js';
import { LimitWatch } from '../../table/limit-watch.js';
import type { SolvedEvent } from '../event-bus.js';
import type { Extension, HubContext } from './extension.js';

/**
 * The street's limits and running totals: tells the room when the transformer, a cable or the voltage band
 * starts and stops being breached, and publishes energy, losses, peaks and breaches on `gridflex/v1/metrics`.
 */
export class LimitsMetricsExtension implements Extension {
  readonly name = 'limits-metrics';
  private readonly limits = new LimitWatch();
  private metrics: Metrics | null = null;

  constructor(private readonly hub: HubContext) {}

  start(): void {
    this.hub.bus.on('solved', this, (event) => this.onSolved(event));
    this.hub.bus.on('published', this, () => this.publish());
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
  }

  snapshot() {
    return { metrics: this.metrics };
  }

  private onSolved({ clock, result }: SolvedEvent): void {
    this.metrics = nextMetrics(this.metrics, clock, result.summary);
    for (const change of this.limits.check(result.summary)) {
      this.hub.activity.event({
        kind: change.breached ? 'limit-breached' : 'limit-cleared',
        severity: change.breached ? 'warning' : 'info',
        message: change.message,
      });
    }
  }

  private async publish(): Promise<void> {
    if (this.metrics) await this.hub.publishJson(gridflexTopics.metrics(), this.metrics, true, 0);
  }
}

/** The running totals after one more step. */
function nextMetrics(previous: Metrics | null, clock: Clock, summary: FeederSummary): Metrics {
  const hours = clock.stepMinutes / 60;
  const breach = summary.busPhasesOutsideStatutory > 0 ? 1 : 0;
  return {
    step: clock.step,
    simTime: clock.simTime,
    importedKwh: (previous?.importedKwh ?? 0) + Math.max(0, summary.substationPKw) * hours,
    exportedKwh: (previous?.exportedKwh ?? 0) + Math.max(0, -summary.substationPKw) * hours,
    lossesKwh: (previous?.lossesKwh ?? 0) + summary.lossesKw * hours,
    peakSubstationPKw: Math.max(
      previous?.peakSubstationPKw ?? Number.NEGATIVE_INFINITY,
      summary.substationPKw,
    ),
    peakTransformerLoadingPct: Math.max(
      previous?.peakTransformerLoadingPct ?? 0,
      summary.transformerLoadingPct,
    ),
    stepsWithVoltageBreach: (previous?.stepsWithVoltageBreach ?? 0) + breach,
    minVoltsSeen: Math.min(previous?.minVoltsSeen ?? Number.POSITIVE_INFINITY, summary.vMin.volts),
    maxVoltsSeen: Math.max(previous?.maxVoltsSeen ?? Number.NEGATIVE_INFINITY, summary.vMax.volts),
  };
}
