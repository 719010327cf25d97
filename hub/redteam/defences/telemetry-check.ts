/**
 * Telemetry plausibility: every battery and EV reading is checked against the hub's model of the store
 * before the agents plan on it. The model is the last accepted reading advanced by the metered power through
 * the same storage physics (less the EV trips the model knows: the year's, and those the table's EVs take as
 * they leave), from the state when the check starts (a run's commissioning). A reading
 * outside the store's bounds, or further than the tolerance from the model (a jump: offset, replay; a value
 * that stops moving while the meter shows charging: frozen) is refused and the model's value used instead.
 */
import { z } from 'zod';
import type { StreetHome } from '../../engine/street-home.js';
import { applyStoragePower } from '../../homes/index.js';
import { defineDefence, stepLabel } from '../red-team.js';
import { powerKey, socKey, storageOf, TELEMETRY_DEVICES, type TelemetryDevice } from '../telemetry.js';

interface Watched {
  home: StreetHome;
  device: TelemetryDevice;
  modelKwh: number;
  refused: number;
}

export const telemetryCheck = defineDefence({
  kind: 'telemetry-check',
  description:
    "battery and EV readings are checked against the hub's model and the meter; implausible ones are refused",
  counters: ['false-telemetry'],
  schema: z.strictObject({
    kind: z.literal('telemetry-check'),
    /** How far a reading may be from the model, kWh. */
    toleranceKwh: z.number().finite().gt(0).max(100).default(0.25),
  }),
  create: (entry, context) => {
    const watched: Watched[] = context.homes.flatMap((home) =>
      TELEMETRY_DEVICES.filter((device) => storageOf(home, device)).map((device) => ({
        home,
        device,
        modelKwh: home.state[socKey(device)],
        refused: 0,
      })),
    );
    return [
      {
        before: 'residents',
        participant: {
          name: 'defence:telemetry-check',
          step: (frame) => {
            for (const item of watched) {
              const key = socKey(item.device);
              const tripKwh = item.device === 'ev' ? (context.world.tripTakenKwh?.(item.home) ?? 0) : 0;
              item.modelKwh = Math.max(0, item.modelKwh - tripKwh);
              const readingKwh = item.home.state[key];
              const why = implausible(readingKwh, item, entry.toleranceKwh);
              if (why === undefined) {
                item.modelKwh = readingKwh;
                continue;
              }
              if (item.refused++ === 0)
                context.note(
                  `${item.home.spec.id} ${item.device}: readings refused from ${stepLabel(context.world, frame)} (${why})`,
                );
              item.home.state[key] = item.modelKwh;
            }
          },
        },
      },
      {
        after: 'homes',
        participant: {
          name: 'defence:telemetry-check:meter',
          step: (frame) => {
            for (const item of watched) {
              const spec = storageOf(item.home, item.device);
              const result = frame.results[item.home.index];
              const inputs = frame.inputs[item.home.index];
              if (!spec || !result || !inputs) continue;
              const tripKwh = item.device === 'ev' ? inputs.evTripKwh : 0;
              const meteredKw = result[powerKey(item.device)];
              item.modelKwh = applyStoragePower(
                spec,
                Math.max(0, item.modelKwh - tripKwh),
                meteredKw,
                frame.dtHours,
              ).socKwh;
            }
          },
        },
      },
    ];
  },
});

/** Why a reading is not plausible, or undefined when it is. */
function implausible(readingKwh: number, item: Watched, toleranceKwh: number): string | undefined {
  const capacityKwh = storageOf(item.home, item.device)?.capacityKwh ?? 0;
  if (!(readingKwh >= 0 && readingKwh <= capacityKwh))
    return `${readingKwh.toFixed(2)} kWh is outside 0–${capacityKwh} kWh`;
  const gapKwh = Math.abs(readingKwh - item.modelKwh);
  if (gapKwh > toleranceKwh)
    return `${readingKwh.toFixed(2)} kWh is ${gapKwh.toFixed(2)} kWh from the model's ${item.modelKwh.toFixed(2)} kWh`;
  return undefined;
}
