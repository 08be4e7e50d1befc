import { describe, expect, it } from 'vitest';
import { HOSTILE, smallStudy } from '../test/fixtures/trials.js';
import { buildReportData } from './data/build.js';
import { contentSecurityPolicy, jsonForScript, renderReportHtml } from './html.js';

describe('jsonForScript', () => {
  it('cannot end its script element or open a comment, and reads back unchanged', () => {
    const value = { name: '</script><script>alert(1)</script>', note: `<!-- ${HOSTILE} & "quotes" \u2028\u2029` };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/<|>|&|\u2028|\u2029/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('renderReportHtml', () => {
  const html = renderReportHtml(buildReportData({ ...smallStudy(), name: `x</script>${HOSTILE}` }));

  it('is one file: the stylesheet, the data and the script inline, nothing to fetch', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html.match(/<script[\s>]/g)).toHaveLength(2);
    expect(html).not.toContain(HOSTILE);
  });

  it('allows only its own script, by hash, and no connection at all', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    expect(csp).toBe(contentSecurityPolicy(script, 'none'));
    expect(csp).toMatch(/default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]+=*';.*connect-src 'none'/);
  });
});
