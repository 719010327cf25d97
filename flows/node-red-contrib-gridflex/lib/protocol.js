/**
 * The GridFlex protocol (topic builders and zod schemas) for these CommonJS nodes. The protocol is compiled
 * ESM (dist/protocol/*.js), so it is loaded once with a dynamic import(); every node module awaits it before
 * it registers its types, so the nodes use the schemas synchronously.
 */
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');
const { pathToFileURL } = require('node:url');

/** The compiled protocol of the GridFlex package this node package sits in (flows/ next to dist/). */
const PROTOCOL_ENTRY = resolve(__dirname, '..', '..', '..', 'dist', 'protocol', 'index.js');

let loading;

/** Resolves with the protocol module; rejects with a clear message when it has not been built. */
function loadProtocol() {
  if (!loading) {
    loading = existsSync(PROTOCOL_ENTRY)
      ? import(pathToFileURL(PROTOCOL_ENTRY).href)
      : Promise.reject(
          new Error(`GridFlex protocol not built: ${PROTOCOL_ENTRY} is missing (run npm run build)`),
        );
  }
  return loading;
}

/** A zod error in one line: `path: message; …` (the form the hub's own errors use). */
function formatIssues(error) {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`)
    .join('; ');
}

/** Validates `value` with `schema`: `{ ok: true, data }` or `{ ok: false, reason }`. Never throws. */
function check(schema, value) {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, data: result.data } : { ok: false, reason: formatIssues(result.error) };
}

/** A payload's JSON, or undefined when it is not JSON (the schema check then names the problem). */
function parseJson(payload) {
  try {
    return JSON.parse(payload.toString());
  } catch {
    return undefined;
  }
}

/** MQTT matching of a concrete topic against a filter with `+` and `#`. */
function topicMatches(filter, topic) {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

module.exports = { loadProtocol, check, parseJson, topicMatches };
