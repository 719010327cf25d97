import type { BoardLinks } from '../../../../protocol/gridflex.ts';
import { h } from '../lib/dom.ts';
import { formatAgo, formatSimTime, formatWallTime } from '../lib/format.ts';
import type { LiveStore } from './store.ts';

const STATE_SYMBOLS: Readonly<Record<string, string>> = {
  ready: '●',
  init: '◐',
  sleeping: '◑',
  alert: '▲',
  disconnected: '○',
  lost: '✕',
};

/** Every Homie device the broker knows: its `$state` (symbol and word) and when it was last heard from. */
export function renderDevices(container: HTMLElement, store: LiveStore): void {
  const now = Date.now();
  const devices = [...store.devices.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  container.replaceChildren(
    h(
      'h2',
      {},
      `Devices (${devices.filter((device) => device.state === 'ready').length}/${devices.length} ready)`,
    ),
    devices.length === 0
      ? h('p', { class: 'small muted' }, 'No device has announced itself yet.')
      : h(
          'table',
          { class: 'devices small' },
          ...devices.map((device) =>
            h(
              'tr',
              { 'data-device': device.deviceId, 'data-state': device.state ?? '' },
              h('td', {}, device.deviceId),
              h(
                'td',
                { class: device.state === 'ready' ? 'ok' : 'warn' },
                `${STATE_SYMBOLS[device.state ?? ''] ?? '?'} ${device.state ?? 'unknown'}`,
              ),
              h(
                'td',
                { class: 'num muted' },
                device.lastSeenMs === null ? 'not seen' : formatAgo(device.lastSeenMs, now),
              ),
              ...linkCells(store.boardLinks?.boards.find((board) => board.deviceId === device.deviceId)),
              faultCell(deviceFault(store, device.deviceId)),
            ),
          ),
        ),
  );
}

/** A board's measured link: median round-trip time (last one in the tooltip) and loss over the hub's last pings. */
function linkCells(link: BoardLinks['boards'][number] | undefined): HTMLElement[] {
  if (link === undefined) return [h('td', {}), h('td', {})];
  const rtt = link.medianRttMs;
  const loss = link.lossPct;
  return [
    h(
      'td',
      {
        class: 'num',
        'data-rtt-ms': rtt === null ? '' : rtt.toFixed(1),
        title: `round trip: last ${link.lastRttMs === null ? '—' : `${link.lastRttMs.toFixed(1)} ms`}, p95 ${link.p95RttMs === null ? '—' : `${link.p95RttMs.toFixed(1)} ms`}`,
      },
      rtt === null ? 'RTT —' : `RTT ${rtt.toFixed(rtt < 10 ? 1 : 0)} ms`,
    ),
    h(
      'td',
      {
        class: `num ${loss !== null && loss > 0 ? 'warn' : ''}`,
        'data-loss-pct': loss === null ? '' : String(Math.round(loss)),
        title: `${link.lost} of the last ${link.answered + link.lost} pings unanswered`,
      },
      loss === null ? 'loss —' : `loss ${Math.round(loss)} %`,
    ),
  ];
}

/**
 * Why the hub refused a board's latest reading, from its assets on the table map: a board's asset is named
 * after the board, or `<board>-<node>` when it has several (hub/table/device-tracker.ts).
 */
function deviceFault(store: LiveStore, deviceId: string): string | undefined {
  const assets = store.tableMap?.assets ?? [];
  return assets.find(
    (asset) => asset.fault && (asset.asset === deviceId || asset.asset.startsWith(`${deviceId}-`)),
  )?.fault;
}

function faultCell(fault: string | undefined): HTMLElement {
  return fault === undefined
    ? h('td', {})
    : h('td', { class: 'warn', 'data-fault': fault, title: `reading refused: ${fault}` }, '▲ faulty');
}

/** The event feed, newest first: what the room should notice (EV placed, tariff switched, limit breached). */
export function renderFeed(container: HTMLElement, store: LiveStore): void {
  if (unchanged(container, `${store.feed.length}|${store.feed.at(-1)?.key ?? ''}`)) return;
  const items = groupBoardsOnline([...store.feed]).reverse();
  container.replaceChildren(
    h('h2', {}, 'Events'),
    items.length === 0
      ? h('p', { class: 'small muted' }, 'Nothing has happened yet.')
      : h(
          'ol',
          { class: 'feed' },
          ...items.map((item) =>
            h(
              'li',
              { class: item.severity === 'warning' ? 'warning' : '' },
              h(
                'span',
                { class: 'when small muted' },
                item.simTime ? formatSimTime(item.simTime) : formatWallTime(item.atMs),
              ),
              item.severity === 'warning' ? h('strong', {}, '⚠ ') : '',
              item.text,
            ),
          ),
        ),
  );
}

const BOARD_ONLINE = /^board (.+) is online$/;

/**
 * Boards coming online one after another say one thing, "boards pv-1, pv-2 and battery-1 are online", so the
 * feed is not four lines of it before anything happens.
 */
export function groupBoardsOnline<T extends { text: string; severity: string }>(items: readonly T[]): T[] {
  const grouped: T[] = [];
  let run: { first: T; boards: string[] } | null = null;
  const close = () => {
    if (!run) return;
    const { first, boards } = run;
    grouped.push(
      boards.length === 1
        ? first
        : { ...first, text: `boards ${boards.slice(0, -1).join(', ')} and ${boards.at(-1)} are online` },
    );
    run = null;
  };
  for (const item of items) {
    const board = BOARD_ONLINE.exec(item.text)?.[1];
    if (board && item.severity === 'info') {
      if (run) (run as { boards: string[] }).boards.push(board);
      else run = { first: item, boards: [board] };
    } else {
      close();
      grouped.push(item);
    }
  }
  close();
  return grouped;
}

/** The hub's answers to every control, newest first: who changed what, when, and whether it was accepted. */
export function renderAudit(container: HTMLElement, store: LiveStore): void {
  const last = store.audit.at(-1);
  if (unchanged(container, `${store.audit.length}|${last?.seq ?? ''}|${last?.at ?? ''}`)) return;
  const entries = [...store.audit].reverse().slice(0, 25);
  container.replaceChildren(
    h('h2', {}, 'Changes'),
    entries.length === 0
      ? h('p', { class: 'small muted' }, 'Nobody has changed anything yet.')
      : h(
          'ol',
          { class: 'feed audit' },
          ...entries.map((entry) =>
            h(
              'li',
              { class: entry.accepted ? '' : 'warning', 'data-audit-seq': entry.seq },
              h(
                'span',
                { class: 'when small muted' },
                `${formatWallTime(Date.parse(entry.at))} · ${entry.username ?? 'unknown'} (${entry.role}) · ${entry.action}`,
              ),
              entry.accepted ? '✓ ' : h('strong', {}, '✕ refused: '),
              entry.reason,
            ),
          ),
        ),
  );
}

const renderedKeys = new WeakMap<HTMLElement, string>();

/** Whether `container` already shows the content `key` stands for (so a list is not rebuilt, keeping its scroll). */
function unchanged(container: HTMLElement, key: string): boolean {
  if (renderedKeys.get(container) === key) return true;
  renderedKeys.set(container, key);
  return false;
}
