import type { FeederSummary } from '../../protocol/gridflex.js';

/** The statutory band of a GB LV supply: 230 V +10 % / −6 %. */
const STATUTORY_VOLTS = { min: 216.2, max: 253 } as const;

/** A limit that started or stopped being breached at this step. */
export interface LimitChange {
  limit: 'transformer' | 'voltage' | 'line';
  breached: boolean;
  message: string;
}

/**
 * Tells when the transformer, a cable or the statutory voltage band starts being breached and when it is
 * back within limits (once each, not every step), in words for the room's event feed. Pure.
 */
export class LimitWatch {
  private readonly breached = { transformer: false, voltage: false, line: false };

  /** The changes this step's power flow brings (none while it did not converge). */
  check(summary: FeederSummary): LimitChange[] {
    if (!summary.converged) return [];
    const changes: LimitChange[] = [];
    const update = (limit: LimitChange['limit'], now: boolean, breach: string, clear: string) => {
      if (now === this.breached[limit]) return;
      this.breached[limit] = now;
      changes.push({ limit, breached: now, message: now ? breach : clear });
    };
    const loading = summary.transformerLoadingPct;
    update(
      'transformer',
      loading > 100,
      `transformer at ${loading.toFixed(0)} % of its rating (limit 100 %)`,
      `transformer back within its rating (${loading.toFixed(0)} %)`,
    );
    const worst = summary.vMin.volts < STATUTORY_VOLTS.min ? summary.vMin : summary.vMax;
    update(
      'voltage',
      summary.busPhasesOutsideStatutory > 0,
      `voltage ${worst.volts.toFixed(1)} V at bus ${worst.bus} phase ${worst.phase} is outside ${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V (${summary.busPhasesOutsideStatutory} bus-phases)`,
      `all voltages back within ${STATUTORY_VOLTS.min}–${STATUTORY_VOLTS.max} V`,
    );
    const lineLoading = summary.maxLineLoadingPct ?? 0;
    update(
      'line',
      lineLoading > 100,
      `a cable is at ${lineLoading.toFixed(0)} % of its rating (limit 100 %)`,
      `every cable back within its rating (${lineLoading.toFixed(0)} %)`,
    );
    return changes;
  }
}
