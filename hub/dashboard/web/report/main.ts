/**
 * The year report page. Served by the hub (`report.html?run=ID`, data from `/api/runs/ID/report`), or as the
 * take-away single file that `gridflex report` writes, with the data embedded in a JSON script element.
 */
import { chartSeriesCsv, perHomeCsv, REPORT_FORMAT_VERSION, type ReportData } from '../../../report/model.ts';
import { byId, h } from '../lib/dom.ts';
import '../lib/page.css';
import './report.css';
import { renderReport } from './render.ts';

/** What the first CSV's rows are, by report kind: its file name's end and its button. */
const CSV_ROWS: Record<ReportData['kind'], readonly [string, string]> = {
  run: ['homes', 'Per-home CSV'],
  'study-poa': ['policies', 'Policies CSV'],
  'study-redteam': ['rows', 'Rows CSV'],
  'study-links': ['rows', 'Rows CSV'],
  'study-social': ['rows', 'Rows CSV'],
};

/** The element `gridflex report` fills with the report's JSON. */
const EMBEDDED_DATA_ID = 'report-data';

async function main(): Promise<void> {
  const status = byId('report-status');
  const embedded = document.getElementById(EMBEDDED_DATA_ID);
  let report: ReportData;
  let runId: number | null = null;
  try {
    if (embedded?.textContent?.trim()) {
      report = checkReport(JSON.parse(embedded.textContent));
      document.body.classList.add('standalone');
    } else {
      const text = new URLSearchParams(location.search).get('run') ?? '';
      if (!/^[1-9][0-9]{0,14}$/.test(text)) {
        throw new Error(
          text === '' ? 'no run chosen: open a report from the run history' : `"${text}" is not a run id`,
        );
      }
      runId = Number(text);
      const response = await fetch(`./api/runs/${runId}/report`);
      const body = (await response.json().catch(() => null)) as unknown;
      if (!response.ok) {
        const message =
          body && typeof body === 'object' && 'error' in body ? String(body.error) : response.statusText;
        throw new Error(message);
      }
      report = checkReport(body);
    }
  } catch (error) {
    status.textContent = `Cannot show this report: ${(error as Error).message}`;
    status.classList.add('error-message');
    return;
  }
  status.remove();
  const subject = {
    run: `policy ${report.policy}`,
    'study-poa': 'price-of-anarchy study',
    'study-redteam': `red-team study under ${report.policy}`,
    'study-links': 'links study under cooperative control',
    'study-social': `social-graph sweep under ${report.policy}`,
  }[report.kind];
  document.title = `GridFlex ${reportKind(report.days).toLowerCase()} – ${report.scenario}`;
  byId('report-title').textContent = `${reportKind(report.days)}: ${report.scenario}`;
  byId('report-subtitle').textContent =
    `${runId !== null ? `run ${runId} · ` : report.runId ? `run ${report.runId} · ` : ''}${subject} · ${report.days} day${report.days === 1 ? '' : 's'} · seed ${report.seed}`;
  renderActions(byId('report-actions'), report, runId);
  renderReport(byId('report'), report);
  document.body.dataset.reportReady = 'true';
}

/** What the report covers, in its title: a year, or as many days as the run was. */
function reportKind(days: number): string {
  if (days >= 365) return 'Year report';
  if (days % 7 === 0 && days >= 14) return `${days / 7}-week report`;
  return days === 1 ? 'One-day report' : `${days}-day report`;
}

function checkReport(value: unknown): ReportData {
  if (
    !value ||
    typeof value !== 'object' ||
    (value as { format?: unknown }).format !== REPORT_FORMAT_VERSION
  ) {
    throw new Error(`not a GridFlex report (format ${REPORT_FORMAT_VERSION} expected)`);
  }
  return value as ReportData;
}

function renderActions(container: HTMLElement, report: ReportData, runId: number | null): void {
  const slug =
    report.scenario
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'report';
  const download = (name: string, text: string, type: string) => {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = h('a', { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  if (runId !== null) {
    container.append(
      h(
        'a',
        {
          class: 'button',
          href: `./api/runs/${runId}/report.html`,
          download: `gridflex-report-run-${runId}.html`,
          id: 'download-html',
        },
        'Download HTML',
      ),
    );
  }
  container.append(
    h(
      'button',
      {
        type: 'button',
        id: 'download-homes-csv',
        onclick: () => download(`${slug}-${CSV_ROWS[report.kind][0]}.csv`, perHomeCsv(report), 'text/csv'),
      },
      CSV_ROWS[report.kind][1],
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'download-series-csv',
        onclick: () => download(`${slug}-chart-series.csv`, chartSeriesCsv(report), 'text/csv'),
      },
      'Chart series CSV',
    ),
    h('button', { type: 'button', onclick: () => window.print() }, 'Print / PDF'),
  );
}

void main();
