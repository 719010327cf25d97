import { z } from 'zod';

/** The street as `GET /api/feeder` serves it (hub/dashboard/live-routes.ts), validated before it is drawn. */
export const FeederLayoutSchema = z.object({
  feeder: z.string(),
  buses: z.array(z.object({ bus: z.string(), x: z.number(), y: z.number() })),
  lines: z.array(
    z.object({
      line: z.string(),
      fromBus: z.string(),
      toBus: z.string(),
      lengthM: z.number(),
      ampacityAmps: z.number().nullable(),
    }),
  ),
  transformer: z.object({ name: z.string(), lvBus: z.string(), ratedKva: z.number() }).nullable(),
  plots: z.array(
    z.object({
      plot: z.string(),
      bus: z.string(),
      phase: z.enum(['A', 'B', 'C']),
      home: z.string().nullable(),
    }),
  ),
});
export type FeederLayout = z.infer<typeof FeederLayoutSchema>;

/** Fetches a JSON document from the hub and validates it; the error names the URL and what was wrong. */
export async function fetchValidated<T>(url: string, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: the hub answered ${response.status}`);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${url}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
