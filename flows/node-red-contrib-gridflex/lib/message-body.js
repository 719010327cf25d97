/**
 * Builds a control message's body from a node's configured defaults (a JSON object typed in the editor)
 * and the incoming msg.payload: an object's fields override the defaults; anything else (an inject's
 * timestamp, a button press) sends the defaults as they are.
 */

/** `{ ok: true, body }` or `{ ok: false, reason }`. Never throws. */
function bodyFrom(defaultsJson, payload) {
  let defaults = {};
  if (typeof defaultsJson === 'string' && defaultsJson.trim() !== '') {
    try {
      defaults = JSON.parse(defaultsJson);
    } catch (error) {
      return { ok: false, reason: `the node's defaults are not valid JSON (${error.message})` };
    }
    if (!isPlainObject(defaults)) return { ok: false, reason: "the node's defaults must be a JSON object" };
  }
  if (isPlainObject(payload)) return { ok: true, body: { ...defaults, ...payload } };
  if (Array.isArray(payload)) return { ok: false, reason: 'msg.payload must be an object, not an array' };
  if (Object.keys(defaults).length === 0) {
    return { ok: false, reason: 'msg.payload must be an object (this node has no defaults to send)' };
  }
  return { ok: true, body: defaults };
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

module.exports = { bodyFrom, isPlainObject };
