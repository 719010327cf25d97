import { cosimTopics, type Drift } from '../../../protocol/cosim.js';
import { DriftMonitor } from '../../cosim/drift.js';
import type { SolvedEvent } from '../event-bus.js';
import type { Extension, HubContext } from './extension.js';

/** EWMA weight and alarm level of the drift between a home's modelled and metered net power. */
export const DRIFT_SETTINGS = { alpha: 0.2, alarmAtKw: 1 } as const;

/**
 * Hardware in the loop: where a meter board sits on a home's plot (the meter extension puts its reading on
 * the home as `meteredPKw`), the model's net power is pinned to it and their drift tracked every step
 * (residual, EWMA, bias estimate, alarm), published on `gridflex/v1/drift`; an alarm raised or cleared is
 * logged. Runs after the meter extension.
 */
export class DriftExtension implements Extension {
  readonly name = 'drift';
  private readonly monitors = new Map<string, DriftMonitor>();
  private latest: Drift | null = null;

  constructor(private readonly hub: HubContext) {}

  start(): void {
    this.hub.bus.on('solved', this, (event) => this.track(event));
    this.hub.bus.on('published', this, async () => {
      if (this.latest) await this.hub.publishJson(cosimTopics.drift(), this.latest, true, 0);
    });
  }

  stop(): void {
    this.hub.bus.removeListeners(this);
  }

  snapshot(): { drift?: Drift } {
    return this.latest ? { drift: this.latest } : {};
  }

  private track({ clock, result }: SolvedEvent): void {
    const pins: Drift['pins'] = [];
    for (const home of result.homes) {
      if (home.meteredPKw === undefined) continue;
      let monitor = this.monitors.get(home.home);
      if (!monitor) {
        monitor = new DriftMonitor({ alpha: DRIFT_SETTINGS.alpha, alarmAt: DRIFT_SETTINGS.alarmAtKw });
        this.monitors.set(home.home, monitor);
      }
      const sample = monitor.update(home.netPKw, home.meteredPKw);
      if (sample.change) {
        this.hub.log(
          'warn',
          `drift ${sample.change} on ${home.home}: meter ${sample.sensorValue.toFixed(2)} kW, model ${sample.modelValue.toFixed(2)} kW (EWMA ${sample.ewma.toFixed(2)} kW)`,
        );
      }
      pins.push({
        home: home.home,
        plot: home.plot,
        sensor: 'meter',
        variable: 'netPKw',
        modelValue: sample.modelValue,
        sensorValue: sample.sensorValue,
        residual: sample.residual,
        ewma: sample.ewma,
        bias: sample.bias,
        samples: sample.samples,
        alarm: sample.alarm,
        alarmAt: DRIFT_SETTINGS.alarmAtKw,
      });
    }
    this.latest = pins.length > 0 ? { step: clock.step, simTime: clock.simTime, pins } : this.latest;
  }
}
