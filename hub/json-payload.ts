/** A payload's JSON, or undefined when it is not JSON (for a schema to refuse with its own words). */
export function safeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}
