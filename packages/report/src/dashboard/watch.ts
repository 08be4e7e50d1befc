import { HptuneError, finalMetricValue, listStudies, openStudy } from '@hptune/core';
import { buildReportData } from '../data/build.js';
import { isStudyRunning, reportSourceFromStudy } from '../data/sources.js';
import type { StudyListEntry } from '../data/types.js';

/** Where the dashboard reads, and where it says what it could not read. */
export interface DashboardReads {
  readonly studyDir?: string;
  readonly onWarning?: (message: string) => void;
}

/** The events a page receives: `studies` (the list), `report` (the chosen study's data), `missing` (no such study). */
export type DashboardEvent = 'studies' | 'report' | 'missing';

/** The studies of a study directory as the dashboard lists them. */
export function studyList(reads: DashboardReads): StudyListEntry[] {
  return listStudies(reads.studyDir !== undefined ? { studyDir: reads.studyDir } : {}).map(({ study, counts, best, coordinator }) => ({
    name: study.name,
    state: study.state,
    running: isStudyRunning({ study, coordinator }),
    metric: study.metric,
    trials: counts.total,
    finished: counts.succeeded + counts.failed,
    maxTrials: study.maxTrials,
    best: best ? (finalMetricValue(best, study.metric) ?? null) : null,
    updateTime: study.updateTime,
  }));
}

/**
 * Follows the study list and one study for one page: reads the store every poll and emits an
 * event only when what it read changed (the first read always emits).
 */
export class StudyWatcher {
  private timer: NodeJS.Timeout | undefined;
  private lastList: string | undefined;
  private lastStudy: string | undefined;
  private lastWarning: string | undefined;

  constructor(
    private readonly reads: DashboardReads,
    private readonly study: string | undefined,
    private readonly emit: (event: DashboardEvent, data: string) => void,
  ) {}

  /** Reads now, then every `intervalMs`. */
  start(intervalMs: number): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One read of the list and the study; emits what changed. */
  poll(): void {
    try {
      const list = JSON.stringify(studyList(this.reads));
      if (list !== this.lastList) this.emit('studies', list);
      this.lastList = list;
      if (this.study !== undefined) this.pollStudy(this.study);
      this.lastWarning = undefined;
    } catch (error) {
      const message = `cannot read the study store: ${error instanceof Error ? error.message : String(error)} (trying again)`;
      if (message !== this.lastWarning) this.reads.onWarning?.(message);
      this.lastWarning = message;
    }
  }

  private pollStudy(name: string): void {
    let stored;
    try {
      stored = openStudy(name, this.reads.studyDir !== undefined ? { studyDir: this.reads.studyDir } : {});
    } catch (error) {
      if (!(error instanceof HptuneError && (error.code === 'STUDY_NOT_FOUND' || error.code === 'INVALID_ARGUMENT'))) throw error;
      if (this.lastStudy !== 'missing') this.emit('missing', JSON.stringify(name));
      this.lastStudy = 'missing';
      return;
    }
    // What the page shows changes only with the stored study; its `generatedAt` alone is no change.
    const fingerprint = JSON.stringify([stored.study.state, stored.study.updateTime, stored.coordinator?.liveness, stored.trials]);
    if (fingerprint === this.lastStudy) return;
    this.lastStudy = fingerprint;
    this.emit('report', JSON.stringify(buildReportData(reportSourceFromStudy(stored))));
  }
}

/**
 * The dashboard's watchers, one per study shown (and one for the list alone), shared by every page
 * showing it: N open pages on one study read the store once per poll, not N times. A page that
 * joins gets the latest list and study at once, as a watcher's first read gives them.
 */
export class WatcherHub {
  private readonly shared = new Map<string, { watcher: StudyWatcher; pages: Set<(event: DashboardEvent, data: string) => void>; latest: Map<DashboardEvent, string> }>();

  constructor(
    private readonly reads: DashboardReads,
    private readonly intervalMs: number,
  ) {}

  /** Sends `study`'s events (and the list's) to `send` until the returned function is called. */
  subscribe(study: string | undefined, send: (event: DashboardEvent, data: string) => void): () => void {
    const key = study === undefined ? '' : `=${study}`;
    let entry = this.shared.get(key);
    if (entry) {
      for (const [event, data] of entry.latest) send(event, data);
      entry.pages.add(send);
    } else {
      const pages = new Set([send]);
      const latest = new Map<DashboardEvent, string>();
      const watcher = new StudyWatcher(this.reads, study, (event, data) => {
        // A study is either there (its report) or missing: a joining page gets only the latest of the two.
        if (event !== 'studies') latest.delete(event === 'report' ? 'missing' : 'report');
        latest.set(event, data);
        for (const page of pages) page(event, data);
      });
      entry = { watcher, pages, latest };
      this.shared.set(key, entry);
      watcher.start(this.intervalMs);
    }
    const joined = entry;
    return () => {
      joined.pages.delete(send);
      if (joined.pages.size > 0) return;
      joined.watcher.stop();
      this.shared.delete(key);
    };
  }

  /** Stops every watcher. */
  close(): void {
    for (const { watcher } of this.shared.values()) watcher.stop();
    this.shared.clear();
  }
}
