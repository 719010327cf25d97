/**
 * The run history page: every recorded run (list, open its report, delete, compare two side by side) and
 * scenario upload (validated by the hub with the CLI's schema, then a short run that lands in the list).
 * Deleting and uploading need the operator's login (the hub refuses them otherwise); the controls say so.
 */
import type { ComparedFigure, RunRecord } from '../../../runs/run-record.ts';
import { RUN_MANAGER_ROLES } from '../../run-permissions.ts';
import { byId, h } from '../lib/dom.ts';
import { renderLoginBox } from '../lib/login-box.ts';
import '../lib/page.css';
import { authHeaders, clearSession, restoreSession, type StoredSession } from '../lib/session.ts';
import '../report/report.css';
import './history.css';

interface RunsAnswer {
  runs: RunRecord[];
  uploadMaxDays: number;
  policies: string[];
}
interface Job {
  id: string;
  state: 'running' | 'done' | 'failed';
  fileName: string;
  days: number;
  runId: number | null;
  error: string | null;
}

const selected = new Set<number>();
let runs: RunRecord[] = [];
let session: StoredSession | null = null;
/** Whether the list was read (else the runs box shows why not, and a login must not hide that). */
let runsLoaded = false;
/** The upload form's limits from the hub (kept to draw the form again after a login). */
let uploadLimits = { maxDays: 28, policies: [] as string[] };

/** Whether the logged-in user may delete runs and start them. */
const mayManageRuns = () => session !== null && RUN_MANAGER_ROLES.includes(session.role);
const MANAGER_HINT = `Log in as the ${RUN_MANAGER_ROLES.join(' or the ')} (top right) to delete runs or run a scenario.`;

/** A JSON API call; a non-2xx answer throws its `error` message. Changes carry the session's token. */
async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const changes = init?.method !== undefined && init.method !== 'GET';
  const response = await fetch(
    path,
    changes ? { ...init, headers: { ...(init?.headers as Record<string, string>), ...authHeaders() } } : init,
  );
  const body = (await response.json().catch(() => null)) as unknown;
  if (changes && response.status === 401 && session) {
    // The hub no longer knows this login (expired, logged out elsewhere, hub restarted).
    clearSession();
    showSession(null, 'Your login has ended: log in again.');
  }
  if (!response.ok) {
    const message =
      body && typeof body === 'object' && 'error' in body
        ? String(body.error)
        : `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return body as T;
}

function message(element: HTMLElement, text: string, kind: 'error' | 'ok' | 'info'): void {
  element.textContent = text;
  element.className = `message ${kind}`;
  element.hidden = text === '';
}

async function refresh(): Promise<RunsAnswer | null> {
  const box = byId('runs');
  try {
    const answer = await api<RunsAnswer>('./api/runs');
    runs = answer.runs;
    runsLoaded = true;
    for (const id of [...selected]) if (!runs.some((run) => run.id === id)) selected.delete(id);
    renderRuns(box);
    return answer;
  } catch (error) {
    box.replaceChildren(
      h('h2', { id: 'runs-title' }, 'Runs'),
      h(
        'p',
        { class: 'message error', role: 'alert' },
        `Cannot read the run history: ${(error as Error).message}`,
      ),
    );
    return null;
  }
}

function keyFigures(run: RunRecord): string {
  const f = run.headline;
  if (run.kind === 'run' && f.billsGbp !== undefined) {
    const change = f.billsVsPassiveGbp ?? 0;
    return `bills £${f.billsGbp.toFixed(2)} (${change > 0 ? '+' : change < 0 ? '−' : '±'}£${Math.abs(change).toFixed(2)} vs passive) · peak ${(f.transformerPeakKw ?? 0).toFixed(1)} kW`;
  }
  if (run.kind === 'study-poa' && f.priceOfAnarchy !== undefined)
    return `price of anarchy ${f.priceOfAnarchy.toFixed(3)} · headroom lost ${(f.headroomLostPct ?? 0).toFixed(1)} %`;
  if (run.kind === 'study-sweep') return `${f.runs ?? 0} runs, ${f.failed ?? 0} failed`;
  if (run.kind === 'study-redteam' && f.attackPeakKw !== undefined)
    return `peak ${f.attackPeakKw.toFixed(1)} kW under attack, ${(f.noAttackPeakKw ?? 0).toFixed(1)} kW without`;
  if (run.kind === 'study-links' && f.worstSocialCostGbp !== undefined)
    return `worst social cost £${f.worstSocialCostGbp.toFixed(2)} · ${f.failed ?? 0} failed`;
  return '—';
}

function renderRuns(box: HTMLElement): void {
  const compareButton = h(
    'button',
    { type: 'submit', id: 'compare-button', onclick: () => void compare() },
    'Compare selected',
  );
  compareButton.disabled = selected.size !== 2;
  const status = h('p', { class: 'message', id: 'runs-message', role: 'status', hidden: true });
  const header = h(
    'div',
    { class: 'runs-header' },
    h('h2', { id: 'runs-title' }, `Runs (${runs.length})`),
    h('span', { class: 'muted small' }, 'Tick two runs to compare them.'),
    compareButton,
  );
  if (runs.length === 0) {
    box.replaceChildren(
      header,
      h('p', { class: 'muted' }, 'No runs yet: run `gridflex run …` or upload a scenario above.'),
    );
    return;
  }
  const rows = runs.map((run) => {
    const tick = h('input', { type: 'checkbox', 'aria-label': `select run ${run.id}`, 'data-run': run.id });
    tick.checked = selected.has(run.id);
    tick.addEventListener('change', () => {
      if (tick.checked) selected.add(run.id);
      else selected.delete(run.id);
      compareButton.disabled = selected.size !== 2;
    });
    // A sweep has a report when it ran social graphs (social.json).
    const reportable = run.kind !== 'study-sweep' || run.headline.topologies !== undefined;
    const actions = h(
      'div',
      { class: 'actions' },
      reportable
        ? h('a', { class: 'button-link', href: `./report.html?run=${run.id}` }, 'Report')
        : h('span', { class: 'muted small' }, 'no report'),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          disabled: !mayManageRuns(),
          title: mayManageRuns() ? `Delete run ${run.id}` : MANAGER_HINT,
          onclick: () => confirmDelete(actions, run, status),
        },
        'Delete',
      ),
    );
    return h(
      'tr',
      { 'data-run-row': run.id },
      h('td', {}, tick),
      h('td', { class: 'num' }, String(run.id)),
      h('td', { class: 'nowrap' }, run.createdAt.replace('T', ' ').slice(0, 16)),
      h('td', {}, run.kind),
      h(
        'td',
        {},
        run.scenarioName,
        h('div', { class: 'muted small', title: run.scenarioFile }, run.scenarioFile.split('/').pop() ?? ''),
      ),
      h('td', {}, String(run.parameters.policy ?? '—')),
      h('td', { class: 'num' }, String(run.parameters.days ?? run.headline.days ?? '—')),
      h('td', {}, keyFigures(run)),
      h('td', {}, actions),
    );
  });
  box.replaceChildren(
    header,
    mayManageRuns() ? '' : h('p', { class: 'muted small', id: 'runs-hint' }, MANAGER_HINT),
    status,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data', id: 'runs-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['', 'id', 'created (UTC)', 'kind', 'scenario', 'policy', 'days', 'key figures', ''].map(
              (title) => h('th', {}, title),
            ),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}

function confirmDelete(cell: HTMLElement, run: RunRecord, status: HTMLElement): void {
  const withFiles = h('input', { type: 'checkbox', id: `delete-files-${run.id}` });
  const original = [...cell.childNodes];
  cell.replaceChildren(
    h('span', {}, `Delete run ${run.id}? `),
    h('label', { class: 'small' }, withFiles, ' also its files'),
    h(
      'button',
      {
        type: 'button',
        class: 'danger',
        onclick: async () => {
          try {
            const answer = await api<{ deleted: number; filesRemoved: boolean }>(
              `./api/runs/${run.id}${withFiles.checked ? '?files=true' : ''}`,
              { method: 'DELETE' },
            );
            selected.delete(run.id);
            await refresh();
            message(
              byId('runs-message'),
              `Deleted run ${answer.deleted}${answer.filesRemoved ? ' and its files' : ''}.`,
              'ok',
            );
          } catch (error) {
            message(status, `Could not delete run ${run.id}: ${(error as Error).message}`, 'error');
            cell.replaceChildren(...original);
          }
        },
      },
      'Yes, delete',
    ),
    h('button', { type: 'button', onclick: () => cell.replaceChildren(...original) }, 'Cancel'),
  );
}

function formatValue(value: number | null): string {
  if (value === null) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 1 : 3);
}

async function compare(): Promise<void> {
  const box = byId('compare');
  const [a, b] = [...selected].sort((x, y) => x - y);
  box.hidden = false;
  try {
    const result = await api<{ a: RunRecord; b: RunRecord; figures: ComparedFigure[]; warnings?: string[] }>(
      `./api/runs/compare?a=${a}&b=${b}`,
    );
    const describe = (run: RunRecord) => {
      const days = Number(run.parameters.days ?? run.headline.days ?? 0);
      const policy = run.parameters.policy ? `policy ${String(run.parameters.policy)}, ` : '';
      return `run ${run.id}: ${run.kind}, ${run.scenarioName}, ${policy}${days} day${days === 1 ? '' : 's'}`;
    };
    box.replaceChildren(
      h('h2', { id: 'compare-title' }, `Run ${result.a.id} and run ${result.b.id} side by side`),
      h(
        'p',
        { class: 'muted' },
        `a = ${describe(result.a)}; b = ${describe(result.b)}. Differences are b − a.`,
      ),
      ...(result.warnings ?? []).map((warning) =>
        h('p', { class: 'compare-warning', role: 'alert' }, `⚠ Not like for like: ${warning}.`),
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data compare-table', id: 'compare-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', {}, 'figure'),
              h('th', { class: 'num' }, `a (run ${result.a.id})`),
              h('th', { class: 'num' }, `b (run ${result.b.id})`),
              h('th', { class: 'num' }, 'b − a'),
            ),
          ),
          h(
            'tbody',
            {},
            ...result.figures.map((figure) => {
              const d = figure.difference;
              const text = d === null ? '—' : `${d > 0 ? '+' : d < 0 ? '−' : '±'}${formatValue(Math.abs(d))}`;
              return h(
                'tr',
                {},
                h('td', { title: figure.name }, figure.label),
                h('td', { class: 'num' }, formatValue(figure.a)),
                h('td', { class: 'num' }, formatValue(figure.b)),
                h('td', { class: `num ${d !== null && d !== 0 ? 'changed' : ''}` }, text),
              );
            }),
          ),
        ),
      ),
      h(
        'p',
        {},
        h('a', { href: `./report.html?run=${result.a.id}` }, `Report of run ${result.a.id}`),
        ' · ',
        h('a', { href: `./report.html?run=${result.b.id}` }, `Report of run ${result.b.id}`),
      ),
    );
    box.scrollIntoView({ block: 'start' });
  } catch (error) {
    box.replaceChildren(
      h('h2', { id: 'compare-title' }, 'Compare'),
      h('p', { class: 'message error', role: 'alert' }, `Cannot compare: ${(error as Error).message}`),
    );
  }
}

function renderUpload(box: HTMLElement, maxDays: number, policies: string[]): void {
  const file = h('input', { type: 'file', id: 'scenario-file', accept: '.yaml,.yml,text/yaml' });
  const days = h('input', { type: 'number', id: 'scenario-days', min: 1, max: maxDays, value: 2, step: 1 });
  const policy = h(
    'select',
    { id: 'scenario-policy' },
    h('option', { value: '' }, "each home's own"),
    ...policies.map((name) => h('option', { value: name }, name)),
  );
  const output = h('p', { class: 'message', id: 'upload-message', role: 'alert', hidden: true });
  const start = h('button', { type: 'submit', id: 'start-run' }, 'Check and run');
  const allowed = mayManageRuns();
  for (const control of [file, days, policy, start]) control.disabled = !allowed;
  const form = h(
    'form',
    { class: 'upload-form' },
    h('label', {}, 'Scenario YAML ', file),
    h('label', {}, 'Days ', days),
    h('label', {}, 'Policy ', policy),
    start,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void upload();
  });
  box.replaceChildren(
    h('h2', { id: 'upload-title' }, 'Run a scenario'),
    h(
      'p',
      { class: 'muted small' },
      `Upload a scenario YAML (as in scenarios/); it is checked with the same schema as gridflex run, then a short run of up to ${maxDays} days starts and lands in the list below. Paths in it (feeder, catalogue) are read from the GridFlex folder.`,
    ),
    form,
    allowed ? '' : h('p', { class: 'message info', id: 'upload-hint' }, MANAGER_HINT),
    output,
  );

  async function upload(): Promise<void> {
    const chosen = file.files?.[0];
    if (!chosen) return message(output, 'Choose a scenario YAML file first.', 'error');
    const dayCount = Number(days.value);
    if (!Number.isInteger(dayCount) || dayCount < 1 || dayCount > maxDays) {
      return message(output, `Days: a whole number from 1 to ${maxDays}, not "${days.value}".`, 'error');
    }
    if (chosen.size > 256 * 1024)
      return message(output, `${chosen.name}: larger than 256 KiB; is it a scenario?`, 'error');
    const yaml = await chosen.text();
    start.disabled = true;
    message(output, `Checking ${chosen.name}…`, 'info');
    try {
      const answer = await api<{ job: Job; scenario: { name: string; homes: number } }>('./api/runs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          fileName: chosen.name,
          yaml,
          days: dayCount,
          ...(policy.value ? { policy: policy.value } : {}),
        }),
      });
      message(
        output,
        `${chosen.name} is valid: ${answer.scenario.name}, ${answer.scenario.homes} homes. Running ${dayCount} day${dayCount === 1 ? '' : 's'}…`,
        'info',
      );
      await follow(answer.job.id);
    } catch (error) {
      message(output, `${(error as Error).message}`, 'error');
    } finally {
      start.disabled = false;
    }
  }

  async function follow(jobId: string): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      // A job's state is the operator's, as the upload was.
      const job = await api<Job>(`./api/jobs/${encodeURIComponent(jobId)}`, { headers: authHeaders() });
      if (job.state === 'running') continue;
      if (job.state === 'failed')
        throw new Error(`The run of ${job.fileName} failed: ${job.error ?? 'no reason given'}`);
      await refresh();
      output.replaceChildren(
        `Finished: ${job.fileName} is run ${job.runId}. `,
        h('a', { href: `./report.html?run=${job.runId}`, id: 'new-run-report' }, 'Open its report'),
      );
      output.className = 'message ok';
      return;
    }
  }
}

/** Shows who is logged in and draws the controls that depend on it again. */
function showSession(next: StoredSession | null, message = ''): void {
  session = next;
  renderLoginBox(
    byId('login'),
    session,
    { onLogin: (loggedIn) => showSession(loggedIn), onLogout: () => showSession(null) },
    message,
  );
  if (runsLoaded) renderRuns(byId('runs'));
  renderUpload(byId('upload'), uploadLimits.maxDays, uploadLimits.policies);
}

async function start(): Promise<void> {
  const [first, restored] = await Promise.all([refresh(), restoreSession()]);
  if (first) uploadLimits = { maxDays: first.uploadMaxDays, policies: first.policies };
  showSession(restored);
}

void start();
