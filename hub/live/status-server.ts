import { createServer, type Server } from 'node:http';
import type { HubSnapshot } from './hub-runtime.js';

/** Where clients find the hub; shown on the status page and in `/api/state`. */
export interface HubEndpoints {
  mqttUrl: string;
  wsUrl: string | null;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GridFlex hub</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em;max-width:60em}table{border-collapse:collapse}
td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left}.bad{color:#b00}</style></head>
<body><h1>GridFlex hub</h1><p>Status only (the dashboard comes later): the same data as <a href="/api/state">/api/state</a>, refreshed every second.</p>
<div id="out">loading…</div>
<script>
const esc = (s) => String(s).replace(/[&<>]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;'})[c]);
async function refresh() {
  try {
    const s = await (await fetch('/api/state')).json();
    const f = s.feeder && s.feeder.summary;
    let html = '<p>Hub ' + esc(s.hub.state) + ' (' + esc(s.hub.broker) + ' broker ' + esc(s.endpoints.mqttUrl) + ')'
      + ' &middot; step ' + s.clock.step + ' &middot; ' + esc(s.clock.simTime) + '</p>';
    if (f) html += '<p>Transformer ' + f.transformerLoadingPct.toFixed(0) + ' % &middot; substation ' + f.substationPKw.toFixed(1)
      + ' kW &middot; V min ' + f.vMin.volts.toFixed(1) + ' V (bus ' + esc(f.vMin.bus) + f.vMin.phase + ')'
      + (f.busPhasesOutsideStatutory ? ' <b class="bad">' + f.busPhasesOutsideStatutory + ' bus-phases outside 216.2–253 V</b>' : '') + '</p>';
    html += '<table><tr><th>asset</th><th>kind</th><th>plot</th><th>online</th><th>kW</th></tr>'
      + s.table.assets.map((a) => '<tr><td>' + esc(a.asset) + '</td><td>' + esc(a.kind) + '</td><td>' + esc(a.plot ?? '—')
      + '</td><td>' + (a.online ? 'yes' : '<span class="bad">no</span>') + '</td><td>' + a.pKw.toFixed(2) + '</td></tr>').join('')
      + '</table>';
    document.getElementById('out').innerHTML = html;
  } catch (e) { document.getElementById('out').textContent = 'hub not reachable'; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>
`;

/** A minimal HTTP status service: `/api/state` (JSON) and `/` (a page that renders it). */
export function startStatusServer(
  port: number,
  host: string,
  snapshot: () => HubSnapshot,
  endpoints: HubEndpoints,
): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/api/state') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify({ ...snapshot(), endpoints }));
    } else if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}
