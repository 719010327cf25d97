import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { COSIM_PARTICIPANT_SCHEMAS, COSIM_ROOT, parseCosimTopic } from '../../protocol/cosim.js';
import { CONTROL_ROOT, GRIDFLEX_TOPIC_SPECS } from '../../protocol/gridflex.js';
import {
  HomieDescriptionSchema,
  HomieLogLevelSchema,
  HomieStateSchema,
  parseHomieTopic,
  ReadingRecordSchema,
} from '../../protocol/homie.js';
import { topicMatches } from '../auth/acl.js';

/** Control topics and their schemas, with `<name>` placeholders turned into `+`. */
const CONTROL_SCHEMAS: { filter: string; schema: z.ZodType }[] = GRIDFLEX_TOPIC_SPECS.filter((spec) =>
  spec.pattern.startsWith(`${CONTROL_ROOT}/`),
).map((spec) => ({ filter: spec.pattern.replace(/<[^>]+>/g, '+'), schema: spec.schema }));

/**
 * Why a payload a client sent is not acceptable on its topic, or null when it is. Checks the Homie device
 * topics (`$state`, `$description`, `$readings`, `$log`; a property value must be UTF-8 text, as Homie 5
 * writes every payload; its datatype and `$format` are the hub's to check against the device's description)
 * and the workshop control topics; `/set` commands are checked by the device that owns the property.
 * Never throws.
 */
export function payloadProblem(topic: string, payload: Buffer): string | null {
  const homie = parseHomieTopic(topic);
  if (homie) {
    // An empty retained payload is how a device (or an operator) clears a retained topic.
    if (payload.length === 0 && homie.kind !== 'log') return null;
    switch (homie.kind) {
      case 'state':
        return HomieStateSchema.safeParse(payload.toString()).success
          ? null
          : `$state must be one of ${HomieStateSchema.options.join(', ')}`;
      case 'description':
        return jsonProblem(payload, HomieDescriptionSchema, '$description');
      case 'readings':
        return jsonProblem(payload, ReadingRecordSchema, '$readings');
      case 'property':
        return isUtf8(payload) ? null : 'a Homie 5 value is UTF-8 text';
      case 'log':
        return HomieLogLevelSchema.safeParse(homie.level).success
          ? null
          : `unknown log level "${homie.level}"`;
      case 'set':
        return null;
    }
  }
  const cosim = parseCosimTopic(topic);
  if (cosim) return jsonProblem(payload, COSIM_PARTICIPANT_SCHEMAS[cosim.kind], cosim.kind);
  if (topic.startsWith(`${COSIM_ROOT}/`)) return 'unknown co-simulation topic';
  const control = CONTROL_SCHEMAS.find((entry) => topicMatches(entry.filter, topic));
  if (control) return jsonProblem(payload, control.schema, 'control');
  if (topic.startsWith(`${CONTROL_ROOT}/`)) return 'unknown control topic';
  return null;
}

function jsonProblem(payload: Buffer, schema: z.ZodType, what: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return `${what} is not valid JSON`;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return `${what} ${path}${issue?.message ?? 'invalid'}`;
}
