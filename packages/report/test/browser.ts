import type { Page } from '@hptune/testing/browser';

/**
 * The charts of the page and how many of their canvas pixels are painted: a chart that has drawn
 * has thousands; an empty canvas none.
 */
export function paintedPixels(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const counts: Record<string, number> = {};
    for (const figure of document.querySelectorAll<HTMLElement>('[data-chart]')) {
      const canvas = figure.querySelector('canvas');
      const context = canvas && canvas.width > 0 && canvas.height > 0 ? canvas.getContext('2d') : null;
      const pixels = context?.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height).data;
      let painted = 0;
      if (pixels) for (let index = 3; index < pixels.length; index += 4) if ((pixels[index] as number) > 0) painted += 1;
      counts[figure.dataset.chart as string] = painted;
    }
    return counts;
  });
}

/** The rows of the trial table as shown: trial id and state of each. */
export function tableRows(page: Page): Promise<{ id: string; state: string; cells: string[] }[]> {
  return page.$$eval('table.trials tbody tr', (rows) =>
    rows.map((row) => ({
      id: (row as HTMLElement).dataset.trialId as string,
      state: (row as HTMLElement).dataset.state as string,
      cells: [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''),
    })),
  );
}
