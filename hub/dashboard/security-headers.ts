import type { ServerResponse } from 'node:http';

/**
 * What the dashboard's pages may load: their own scripts and styles only (Vite emits them as files, and the
 * pages build their DOM without inline markup), images from themselves or `data:` (the empty favicon), and
 * connections to the hub and to an MQTT-over-WebSocket broker on another port or host (`?ws=` for an
 * external broker). No page may be framed: a framed dashboard could be used to click controls for a
 * logged-in operator.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  // MQTT.js keeps its timers in a worker made from a blob: URL (only the page's own scripts can make one).
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the headers every dashboard answer carries (pages, assets and API answers alike). */
export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  // Browsers take the declared content type as is: an uploaded or echoed text is never run as a script.
  response.setHeader('x-content-type-options', 'nosniff');
  // frame-ancestors for browsers that predate it.
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('referrer-policy', 'no-referrer');
}
