import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as core from '@hptune/core';
import { MAX_WATCHED_STUDIES, WatcherHub } from './watch.js';

// The real reads, counted: a finished study must cost no store read once shown.
vi.mock('@hptune/core', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@hptune/core')>();
  return { ...actual, listStudies: vi.fn(actual.listStudies), openStudy: vi.fn(actual.openStudy) };
});

let studyDir: string;
beforeAll(async () => {
  studyDir = mkdtempSync(join(tmpdir(), 'hptune-watch-'));
  const study = await core.launchStudy({
    name: 'done',
    space: core.searchSpace({ x: core.discrete([1, 2]) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    trainer: { command: process.execPath, args: ['-e', 'require("fs").mkdirSync(require("path").dirname(process.env.CLOUD_ML_HP_METRIC_FILE),{recursive:true});require("fs").writeFileSync(process.env.CLOUD_ML_HP_METRIC_FILE, JSON.stringify({accuracy:"0.5",global_step:"1",timestamp:Date.now()/1000})+"\\n")'] },
    studyDir,
    backend: core.local({ pollIntervalMs: 20 }),
  });
  await study.wait();
});
afterAll(() => rmSync(studyDir, { recursive: true, force: true }));

const until = async (condition: () => boolean) => {
  for (let tries = 0; tries < 200 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('WatcherHub', () => {
  it('reads a finished study once for all its pages, then not at all while the store is unchanged', async () => {
    const hub = new WatcherHub({ studyDir }, 20);
    vi.mocked(core.listStudies).mockClear();
    vi.mocked(core.openStudy).mockClear();
    const events: string[] = [];
    const leave = hub.subscribe('done', (event) => events.push(event));
    const leaveToo = hub.subscribe('done', (event) => events.push(`second ${event}`));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(events).toEqual(['studies', 'report', 'second studies', 'second report']);
    expect(vi.mocked(core.listStudies)).toHaveBeenCalledTimes(1);
    expect(vi.mocked(core.openStudy)).toHaveBeenCalledTimes(1);
    leave?.();
    leaveToo?.();
    hub.close();
  });

  it(`follows at most ${MAX_WATCHED_STUDIES} distinct studies, however many names pages ask for`, async () => {
    const hub = new WatcherHub({ studyDir }, 1000);
    const leaves = Array.from({ length: MAX_WATCHED_STUDIES }, (_, index) => hub.subscribe(`absent-${index}`, () => {}));
    expect(leaves.every((leave) => typeof leave === 'function')).toBe(true);
    expect(hub.subscribe('one-more', () => {})).toBeUndefined();
    // The list alone, and a study already followed, cost no new watcher.
    expect(hub.subscribe(undefined, () => {})).toBeTypeOf('function');
    expect(hub.subscribe('absent-0', () => {})).toBeTypeOf('function');
    leaves[1]?.();
    expect(hub.subscribe('one-more', () => {})).toBeTypeOf('function');
    expect(hub.watchedStudies).toBe(MAX_WATCHED_STUDIES);
    hub.close();
    await until(() => true);
  });
});
