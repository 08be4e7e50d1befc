import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HptuneError } from '@hptune/core/errors';

/** The page's script (ECharts included) and stylesheet, as built into `dist/` by `tsup.page.config.ts`. */
export interface PageAssets {
  readonly script: string;
  readonly style: string;
}

let cached: PageAssets | undefined;

/**
 * Reads the built page once per process. This module sits directly under `src/` and is bundled
 * directly into `dist/`, so `../dist/` names the same folder from source (tests) and from the build.
 * @throws HptuneError `REPORT_PAGE_MISSING` when the package was not built.
 */
export function pageAssets(): PageAssets {
  if (cached) return cached;
  const script = new URL('../dist/page.global.js', import.meta.url);
  const style = new URL('../dist/page.css', import.meta.url);
  try {
    cached = { script: readFileSync(script, 'utf8'), style: readFileSync(style, 'utf8') };
  } catch (error) {
    throw new HptuneError(
      'REPORT_PAGE_MISSING',
      `the report page is missing (${fileURLToPath(script)}): build it with pnpm --filter @hptune/report build`,
      { cause: error },
    );
  }
  return cached;
}
