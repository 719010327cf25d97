/** The take-away report: the single-file page built by vite.report.config.ts with a run's data embedded. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { PACKAGE_ROOT } from '../live/options.js';
import type { ReportData } from './model.js';

/** Where `npm run build` puts the single-file report page. */
export const REPORT_TEMPLATE = join(PACKAGE_ROOT, 'dist', 'report-template', 'report.html');

/**
 * The report as one self-contained HTML file. The JSON goes into a `<script type="application/json">`
 * element with `<` escaped, so no value in it can close the element or be parsed as markup.
 */
export function reportHtml(report: ReportData, template = REPORT_TEMPLATE): string {
  let page: string;
  try {
    page = readFileSync(template, 'utf8');
  } catch {
    throw new InputError(template, 'the report page is not built: run npm run build');
  }
  const json = JSON.stringify(report)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  const data = `<script type="application/json" id="report-data">${json}</script>`;
  const at = page.lastIndexOf('</body>');
  if (at < 0) throw new InputError(template, 'the report page has no </body>');
  return `${page.slice(0, at)}${data}\n${page.slice(at)}`;
}
