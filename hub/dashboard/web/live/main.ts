import { z } from 'zod';
import { HubStateSchema } from '../../../../protocol/gridflex.ts';
import { byId, h } from '../lib/dom.ts';
import { FeederLayoutSchema, fetchValidated } from '../lib/feeder-layout.ts';
import { formatSimTime } from '../lib/format.ts';
import { HubClient } from '../lib/hub-client.ts';
import { renderLoginBox } from '../lib/login-box.ts';
import '../lib/page.css';
import { clearSession, restoreSession, type StoredSession } from '../lib/session.ts';
import { renderAudit, renderDevices, renderFeed } from './devices-feed.ts';
import { renderHomes } from './homes.ts';
import { renderMarket, renderSharedBattery, renderTransformerGauge } from './overview.ts';
import { renderPins } from './pins.ts';
import { renderComparison, renderRunningPolicy } from './policy-comparison.ts';
import { panelsFor } from './role-panels.ts';
import { ShowView } from './show.ts';
import { LiveStore } from './store.ts';
import { StreetMap } from './street-map.ts';
import { TrendCharts } from './trend-charts.ts';

const EndpointsSchema = z.object({
  endpoints: z.object({ mqttUrl: z.string(), wsUrl: z.string().nullable() }),
});

/** What the page reads of `/api/state` while its broker connection is down. */
const HubOnlySchema = z.object({ hub: HubStateSchema });

const store = new LiveStore();
let client: HubClient | null = null;
let stopPanels: (() => void)[] = [];

/**
 * The broker's WebSocket URL: `?ws=` when given (an external broker, or a proxy), else the hub's, reached on the
 * host this page came from (so a tablet on the LAN connects to the hub, not to its own loopback).
 */
function brokerUrl(hubWsUrl: string | null): string | null {
  const override = new URLSearchParams(location.search).get('ws');
  if (override) return override;
  if (!hubWsUrl) return null;
  const url = new URL(hubWsUrl);
  url.hostname = location.hostname;
  return url.toString();
}

/**
 * Connects to the broker, anonymously or as a hub user. `viaToken`: the password is the dashboard session's
 * token (a reload, or a login made on another page); if the broker refuses it, the session has ended.
 */
function connect(
  wsUrl: string,
  credentials?: { username: string; password: string },
  viaToken = false,
): void {
  client?.end();
  client = new HubClient({
    wsUrl,
    ...(credentials ?? {}),
    onWorld: (message) => store.applyWorld(message),
    onDevice: (message) => store.applyDevice(message),
    onStatus: (status) => {
      if (viaToken && status.state === 'refused') {
        clearSession();
        showSession(null, wsUrl, 'Your login has ended: log in again.');
        connect(wsUrl);
        return;
      }
      store.setConnection(status);
      if (status.state === 'offline') void askHubWhyOffline();
    },
    onInvalid: (topic, problem) => store.markInvalid(topic, problem),
  });
}

/**
 * The page's broker connection dropped: the hub's own HTTP side says whether the broker is down (the hub runs
 * on and holds the clock until it is back). It is asked again at each failed reconnect, once a second.
 */
async function askHubWhyOffline(): Promise<void> {
  try {
    const { hub } = await fetchValidated('./api/state', HubOnlySchema);
    // Back online meanwhile: the broker's retained hub state is newer than this answer.
    if (store.connection.state === 'online') return;
    store.hub = hub;
    store.changed();
  } catch {
    // The hub itself is unreachable: the offline badge says as much.
  }
}

function renderStatus(): void {
  const status = byId('status');
  const connection = store.connection;
  const clock = store.clock;
  status.replaceChildren(
    h(
      'span',
      { class: `badge ${connection.state}`, 'data-connection': connection.state },
      connection.state === 'online'
        ? '● live'
        : connection.state === 'connecting'
          ? '◌ connecting…'
          : connection.state === 'refused'
            ? `✕ refused: ${connection.reason}`
            : `○ offline: ${connection.reason}`,
    ),
    clock
      ? h(
          'span',
          { class: 'clock', 'data-sim-time': clock.simTime },
          h('strong', {}, formatSimTime(clock.simTime)),
          ` · step ${clock.step} · ${clock.running ? 'running' : 'paused'}`,
        )
      : '',
    renderLink(),
    store.hub && store.hub.state !== 'running'
      ? h('span', { class: 'badge offline' }, `hub ${store.hub.state}`)
      : '',
    store.hub?.brokerDownSince && connection.state !== 'online'
      ? h(
          'span',
          { class: 'badge refused', 'data-broker-down': store.hub.brokerDownSince },
          `⚠ broker down since ${new Date(store.hub.brokerDownSince).toLocaleTimeString()}: the hub runs on and holds the clock until it is back`,
        )
      : '',
    store.invalidCount > 0
      ? h(
          'span',
          { class: 'badge refused', title: store.lastInvalid ?? '' },
          `${store.invalidCount} invalid messages ignored`,
        )
      : '',
  );
}

/** The hub–dashboard link as this page measured it (docs/links.md). */
function renderLink(): HTMLElement | string {
  const link = store.link.figures();
  if (!link) return '';
  return h(
    'span',
    {
      class: 'link',
      'data-link-delay-ms': String(link.medianDelayMs),
      'data-link-loss-pct': link.lossPct.toFixed(1),
      title: `Each step reaches this page ${link.medianDelayMs} ms after the hub published it (median of the last 20; last ${link.lastDelayMs} ms); ${link.lossPct.toFixed(1)} % of the last ${link.stepsJudged} steps never arrived.`,
    },
    `link: ${formatDelay(link.medianDelayMs)} late · ${link.lossPct.toFixed(0)} % lost`,
  );
}

function formatDelay(delayMs: number): string {
  return delayMs < 1000 ? `${delayMs} ms` : `${(delayMs / 1000).toFixed(1)} s`;
}

let street: StreetMap | null = null;
let trends: TrendCharts | null = null;
let show: ShowView | null = null;
let frameRequested = false;
/** Projector mode: `?show=1` (the header's "Projector view" link). */
const showMode = new URLSearchParams(location.search).get('show') === '1';

function render(): void {
  frameRequested = false;
  renderStatus();
  if (show) {
    show.render();
    return;
  }
  street?.render();
  trends?.render();
  renderRunningPolicy(byId('policy'), store);
  renderComparison(byId('comparison'), store);
  renderTransformerGauge(byId('transformer'), store);
  renderMarket(byId('market'), store);
  renderSharedBattery(byId('battery'), store);
  renderHomes(byId('homes'), store);
  renderPins(byId('pins'), store);
  renderFeed(byId('feed'), store);
  renderAudit(byId('audit'), store);
  renderDevices(byId('devices'), store);
}

function scheduleRender(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(render);
}

function showSession(session: StoredSession | null, wsUrl: string, message = ''): void {
  for (const stop of stopPanels) stop();
  stopPanels = [];
  const roles = byId('roles');
  renderLoginBox(
    byId('login'),
    session,
    {
      onLogin: (loggedIn, password) => {
        // The password works with an external broker too; the token is for the next reload.
        connect(wsUrl, { username: loggedIn.username, password });
        showSession(loggedIn, wsUrl);
      },
      onLogout: () => {
        connect(wsUrl);
        showSession(null, wsUrl);
      },
    },
    message,
  );
  if (!session) {
    roles.hidden = true;
    roles.replaceChildren();
    return;
  }
  roles.hidden = false;
  roles.replaceChildren(
    ...panelsFor({
      store,
      session,
      client: () => client,
      awaitAudit: (requestId) => store.awaitAudit(requestId),
      onChange: (listener) => {
        stopPanels.push(store.onChange(listener));
      },
    }),
  );
}

async function start(): Promise<void> {
  try {
    const [layout, state] = await Promise.all([
      fetchValidated('./api/feeder', FeederLayoutSchema),
      fetchValidated('./api/state', EndpointsSchema),
    ]);
    store.layout = layout;
    byId('feeder-name').textContent = layout.feeder;
    if (showMode) {
      document.body.classList.add('show-mode');
      show = new ShowView(byId('show'), store);
      addEventListener('resize', scheduleRender);
    } else {
      street = new StreetMap(byId('street'), store);
      trends = new TrendCharts(byId('trends'), store);
      const projector = new URL(location.href);
      projector.searchParams.set('show', '1');
      byId<HTMLAnchorElement>('projector-link').href = projector.toString();
    }
    const wsUrl = brokerUrl(state.endpoints.wsUrl);
    if (!wsUrl) {
      store.setConnection({
        state: 'refused',
        reason: 'this hub uses an external broker: open the page with ?ws=ws://<broker>:<websocket port>',
      });
    } else {
      store.onChange(scheduleRender);
      // A login made earlier in this tab (here or on another page) holds: the token is the MQTT password.
      const session = await restoreSession();
      showSession(session, wsUrl);
      if (session) connect(wsUrl, { username: session.username, password: session.token }, true);
      else connect(wsUrl);
    }
    scheduleRender();
  } catch (error) {
    byId('status').replaceChildren(h('span', { class: 'badge refused' }, `✕ ${(error as Error).message}`));
  }
  // Last-seen times age even when nothing arrives.
  if (!showMode) setInterval(() => renderDevices(byId('devices'), store), 1000);
}

void start();
