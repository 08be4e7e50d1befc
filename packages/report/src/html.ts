import { createHash } from 'node:crypto';
import { HptuneError } from '@hptune/core/errors';
import { pageAssets } from './assets.js';
import type { ReportData } from './data/types.js';
import { REPORT_DATA_ELEMENT_ID } from './report-data-element.js';


/**
 * A value as JSON that is safe inside a `<script>` element: `<`, `>` and `&` are written as
 * `\u003c`, `\u003e`, `\u0026` (so no `</script>` or `<!--` can appear), and U+2028/U+2029 escaped.
 * `JSON.parse` reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The Content-Security-Policy of a page: only our own inline script runs (by its hash, so no
 * injected script or event handler could), nothing is fetched but what `connect` allows.
 */
export function contentSecurityPolicy(script: string, connect: 'none' | 'self'): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    `connect-src '${connect}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** What kind of page to write: a report with its data inside, or the dashboard that fetches it. */
export type PageMode = { readonly kind: 'report'; readonly data: ReportData } | { readonly kind: 'dashboard' };

/** The whole HTML page: stylesheet, data and script inlined. */
export function renderPage(mode: PageMode): string {
  const { script, style } = pageAssets();
  // The bundle is code, not data: it must not be able to end its own element early.
  if (/<\/script|<!--/i.test(script)) {
    throw new HptuneError('REPORT_PAGE_UNSAFE', 'the built report page contains </script or <!--, which would break its script element: rebuild @hptune/report');
  }
  const csp = contentSecurityPolicy(script, mode.kind === 'report' ? 'none' : 'self');
  const data = mode.kind === 'report' ? `<script type="application/json" id="${REPORT_DATA_ELEMENT_ID}">${jsonForScript(mode.data)}</script>\n` : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>hptune</title>',
    `<style>${style}</style>`,
    '</head>',
    `<body data-hptune-mode="${mode.kind}">`,
    '<noscript>This report draws its views with JavaScript: open it in a browser with scripts enabled.</noscript>',
    `${data}<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A study's report: one self-contained HTML file (open it from `file://`; it fetches nothing). */
export function renderReportHtml(data: ReportData): string {
  return renderPage({ kind: 'report', data });
}
