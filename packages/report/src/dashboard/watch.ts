import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HptuneError, finalMetricValue, listStudies, openStudy } from '@hptune/core';
import { DEFAULT_STUDY_DIR, STUDY_STORE_FILE } from '@hptune/core/local';
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

/** The most distinct studies the dashboard follows at once (pages of a further one are refused): each costs a store read per poll. */
export const MAX_WATCHED_STUDIES = 32;

/** What one page receives. */
type Page = (event: DashboardEvent, data: string) => void;

/** One study followed for every page showing it (or, under the key `''`, the list alone). */
interface Watched {
  readonly study: string | undefined;
  readonly pages: Set<Page>;
  /** The latest event of each kind, for a page that joins. */
  readonly latest: Map<DashboardEvent, string>;
  /** What the study's report was built from; and its line in the list when last read, to tell a finished study that did not change. */
  fingerprint?: string;
  listed?: string;
}

/**
 * The dashboard's reads of the study store, shared by every page: one timer for all; one read of
 * the list per poll, whatever the number of pages; one read per followed study (at most
 * {@link MAX_WATCHED_STUDIES}), shared by every page showing it. A finished study costs nothing:
 * while no study in the store is ACTIVE and the store's files are unchanged (their size and
 * modification time, a stat per poll), nothing is read; a finished study is read again only when
 * its line in the list changes. A page that joins gets the latest list and study at once.
 */
export class WatcherHub {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private lastList: string | undefined;
  private listed = new Map<string, string>();
  private signature: string | undefined;
  private live = true;
  private lastWarning: string | undefined;

  constructor(
    private readonly reads: DashboardReads,
    private readonly intervalMs: number,
  ) {}

  /**
   * Sends `study`'s events (and the list's) to `send` until the returned function is called;
   * `undefined` when {@link MAX_WATCHED_STUDIES} other studies are followed already.
   */
  subscribe(study: string | undefined, send: Page): (() => void) | undefined {
    const key = study === undefined ? '' : `=${study}`;
    let entry = this.watched.get(key);
    if (entry) {
      for (const [event, data] of entry.latest) send(event, data);
      entry.pages.add(send);
    } else {
      if (study !== undefined && [...this.watched.values()].filter((watched) => watched.study !== undefined).length >= MAX_WATCHED_STUDIES) return undefined;
      entry = { study, pages: new Set([send]), latest: new Map() };
      this.watched.set(key, entry);
      this.poll(entry);
      this.timer ??= setInterval(() => this.poll(), this.intervalMs);
    }
    const joined = entry;
    return () => {
      joined.pages.delete(send);
      if (joined.pages.size > 0) return;
      this.watched.delete(key);
      if (this.watched.size === 0) this.stop();
    };
  }

  /** How many distinct studies are followed now. */
  get watchedStudies(): number {
    return [...this.watched.values()].filter((watched) => watched.study !== undefined).length;
  }

  /** Stops every watcher. */
  close(): void {
    this.stop();
    this.watched.clear();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.signature = undefined;
    this.lastList = undefined;
    this.live = true;
  }

  /** One poll: the list, then each followed study (or only `joining`, a study just subscribed to). */
  private poll(joining?: Watched): void {
    try {
      const signature = storeSignature(this.reads);
      if (!joining && signature === this.signature && !this.live) return;
      if (!joining || this.lastList === undefined) {
        this.signature = signature;
        const list = studyList(this.reads);
        this.live = list.some((entry) => entry.state === 'ACTIVE');
        this.listed = new Map(list.map((entry) => [entry.name, JSON.stringify(entry)]));
        const listJson = JSON.stringify(list);
        if (listJson !== this.lastList) {
          this.lastList = listJson;
          for (const watched of this.watched.values()) this.emit(watched, 'studies', listJson);
        }
      } else {
        this.emit(joining, 'studies', this.lastList);
      }
      for (const watched of joining ? [joining] : this.watched.values()) {
        if (watched.study !== undefined) this.pollStudy(watched, watched.study);
      }
      this.lastWarning = undefined;
    } catch (error) {
      // Read again at the next poll, whatever the store's files say.
      this.signature = undefined;
      const message = `cannot read the study store: ${error instanceof Error ? error.message : String(error)} (trying again)`;
      if (message !== this.lastWarning) this.reads.onWarning?.(message);
      this.lastWarning = message;
    }
  }

  private pollStudy(watched: Watched, name: string): void {
    const listed = this.listed.get(name);
    // A finished study whose line in the list is unchanged has nothing new: no read.
    if (listed !== undefined && listed === watched.listed && !(JSON.parse(listed) as StudyListEntry).running && (JSON.parse(listed) as StudyListEntry).state !== 'ACTIVE') return;
    watched.listed = listed;
    let stored;
    try {
      stored = openStudy(name, this.reads.studyDir !== undefined ? { studyDir: this.reads.studyDir } : {});
    } catch (error) {
      if (!(error instanceof HptuneError && (error.code === 'STUDY_NOT_FOUND' || error.code === 'INVALID_ARGUMENT'))) throw error;
      if (watched.fingerprint !== 'missing') this.emit(watched, 'missing', JSON.stringify(name));
      watched.fingerprint = 'missing';
      return;
    }
    // What the page shows changes only with the stored study; its `generatedAt` alone is no change.
    const fingerprint = JSON.stringify([stored.study.state, stored.study.updateTime, stored.coordinator?.liveness, stored.trials]);
    if (fingerprint === watched.fingerprint) return;
    watched.fingerprint = fingerprint;
    this.emit(watched, 'report', JSON.stringify(buildReportData(reportSourceFromStudy(stored))));
  }

  private emit(watched: Watched, event: DashboardEvent, data: string): void {
    // A study is either there (its report) or missing: a joining page gets only the latest of the two.
    if (event !== 'studies') watched.latest.delete(event === 'report' ? 'missing' : 'report');
    watched.latest.set(event, data);
    for (const page of watched.pages) page(event, data);
  }
}

/** The store's files as the file system describes them (size, modification time, inode): any write changes it. */
function storeSignature(reads: DashboardReads): string {
  const file = join(resolve(reads.studyDir ?? DEFAULT_STUDY_DIR), STUDY_STORE_FILE);
  return ['', '-wal']
    .map((suffix) => {
      try {
        const stat = statSync(file + suffix, { bigint: true });
        return `${stat.ino}:${stat.size}:${stat.mtimeNs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}
