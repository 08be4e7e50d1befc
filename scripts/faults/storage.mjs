// Storage faults: the study dir on a full file system (a small tmpfs; needs root), a truncated or
// corrupted hptune.db, and one written by a newer schema version. Expected: a clear one-line error
// (the CLI: `hptune: ...`, exit 1, no stack), a store that passes integrity_check once space is
// back and resumes to the end, and a damaged or newer store never overwritten or "repaired".
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CaseResult, problemList } from './lib/cases.mjs';
import { FAULTY_TRAINER, ROOT, importCore, integrityCheck, scratchDir, sqlite, startCoordinator } from './lib/env.mjs';

const hash = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every way a user meets a damaged store: the SDK's readers and resume, the CLI's list, show and resume. */
async function touchStore(core, studyDir, name) {
  const outcomes = [];
  for (const [label, call] of [
    ['openStudy', () => core.openStudy(name, { studyDir })],
    ['listStudies', () => core.listStudies({ studyDir })],
    ['resumeStudy', async () => (await core.resumeStudy(name, { studyDir, backend: core.local({}) })).wait()],
  ]) {
    try {
      await call();
      outcomes.push({ label, error: undefined });
    } catch (error) {
      outcomes.push({ label, error });
    }
  }
  const { main } = await import(pathToFileURL(join(ROOT, 'packages', 'cli', 'dist', 'index.js')).href);
  for (const args of [['study', 'list'], ['study', 'show', name], ['study', 'resume', name]]) {
    let stderr = '';
    const sink = (write) => ({ write: (chunk) => (write(String(chunk)), true) });
    const code = await main([...args, '--study-dir', studyDir], { stdout: sink(() => {}), stderr: sink((text) => (stderr += text)), env: {} });
    outcomes.push({ label: `hptune ${args.join(' ')}`, cli: { code, stderr } });
  }
  return outcomes;
}

function checkRefusals(outcomes, { file, wants }, expect) {
  for (const outcome of outcomes) {
    if (outcome.cli) {
      const lines = outcome.cli.stderr.trim().split('\n');
      expect(outcome.cli.code === 1, `${outcome.label} exited ${outcome.cli.code}`);
      expect(lines.length === 1 && lines[0].startsWith('hptune: ') && !/unexpected error/.test(lines[0]), `${outcome.label} printed: ${outcome.cli.stderr.slice(0, 300)}`);
      expect(wants.test(lines[0]) && lines[0].includes(file), `${outcome.label} does not name the file and the fix: ${lines[0]}`);
    } else {
      const error = outcome.error;
      expect(error?.name === 'HptuneError' && wants.test(error.message) && error.message.includes(file), `${outcome.label}: ${error ? `${error.name} ${error.code}: ${error.message}` : 'no error'}`);
    }
  }
}

export async function run({ full, random }) {
  // The study author's entry and the local backend's (`STUDY_STORE_FILE`).
  const core = { ...(await importCore()), ...(await importCore('local')) };
  const dir = scratchDir('storage');
  const rows = [];

  // A finished study to damage.
  const pristineDir = join(dir, 'pristine');
  const done = await core.launchStudy({
    name: 'kept',
    space: core.searchSpace({ x: core.discrete([1, 2, 3]) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    parallelTrials: 3,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER] },
    studyDir: pristineDir,
    backend: core.local({ pollIntervalMs: 20 }),
  });
  await done.wait();
  const pristine = join(pristineDir, core.STUDY_STORE_FILE);
  const pageSize = 4096;
  const pages = statSync(pristine).size / pageSize;

  const corrupt = new CaseResult('storage: truncated or corrupted hptune.db', 'openStudy, listStudies, resumeStudy and hptune study list/show/resume each refuse with one line naming the file and what to do; the file is byte for byte unchanged');
  const damages = {
    'truncated to half': (file) => truncateSync(file, Math.floor(statSync(file).size / 2)),
    'truncated to 100 bytes': (file) => truncateSync(file, 100),
    'header overwritten': (file) => writeAt(file, 0, Buffer.from('garbage, not a database header'.padEnd(100, '!'))),
    'a page of random bytes': (file) => writeAt(file, random.int(1, pages - 1) * pageSize, Buffer.from(Array.from({ length: pageSize }, () => random.int(0, 255)))),
  };
  const rounds = full ? 3 : 1;
  for (let round = 0; round < rounds; round++) {
    for (const [label, damage] of Object.entries(damages)) {
      const studyDir = join(dir, `corrupt-${round}-${label.replaceAll(' ', '-')}`);
      mkdirSync(studyDir);
      const file = join(studyDir, core.STUDY_STORE_FILE);
      copyFileSync(pristine, file);
      damage(file);
      const before = hash(file);
      await corrupt.attempt(label, async () => {
        const { problems, expect } = problemList();
        checkRefusals(await touchStore(core, studyDir, 'kept'), { file, wants: /damaged .*move it aside/ }, expect);
        expect(hash(file) === before, 'the damaged file was changed');
        return problems;
      });
    }
  }
  rows.push(corrupt);

  const newer = new CaseResult('storage: hptune.db from a newer hptune (schema version 99)', 'every reader and resume refuses with STORE_TOO_NEW, naming the file and "upgrade hptune"; the file is unchanged');
  {
    const studyDir = join(dir, 'newer');
    mkdirSync(studyDir);
    const file = join(studyDir, core.STUDY_STORE_FILE);
    copyFileSync(pristine, file);
    const Database = sqlite();
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const before = hash(file);
    await newer.attempt('schema version 99', async () => {
      const { problems, expect } = problemList();
      checkRefusals(await touchStore(core, studyDir, 'kept'), { file, wants: /upgrade hptune/ }, expect);
      expect(hash(file) === before, 'the newer store was changed');
      return problems;
    });
  }
  rows.push(newer);

  rows.push(await fullFileSystem({ core, dir, full, random }));
  return rows;
}

function writeAt(file, offset, bytes) {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    closeSync(fd);
  }
}

async function fullFileSystem({ core, dir, full, random }) {
  const row = new CaseResult('storage: study dir on a full file system (1 MiB tmpfs)', 'the run stops with one clear error (no crash); integrity_check ok; with space back, resume completes every trial once');
  const mountPoint = join(dir, 'tmpfs');
  mkdirSync(mountPoint);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  } catch (error) {
    row.checked = `not run: cannot mount a tmpfs here (${String(error.stderr ?? error.message).trim()}); run as root`;
    return row;
  }
  try {
    for (let attempt = 0; attempt < (full ? 6 : 3); attempt++) {
      const studyDir = join(mountPoint, `s${attempt}`);
      const filler = join(mountPoint, 'filler');
      const free = random.int(4, 96) * 1024;
      // Fill all but `free` bytes: a tmpfs reports its free blocks exactly.
      const available = Number(execFileSync('df', ['--output=avail', '-B1', mountPoint], { encoding: 'utf8' }).trim().split('\n')[1]);
      writeFileSync(filler, Buffer.alloc(Math.max(0, available - free)));
      const name = `full-${attempt}`;
      const launch = {
        name,
        space: core.searchSpaceToJSON(core.searchSpace({ x: core.discrete([1, 2, 3, 4, 5, 6]) })),
        metric: { id: 'accuracy', goal: 'maximize' },
        algorithm: 'grid',
        parallelTrials: 2,
        trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--epochs=3'] },
        studyDir,
        backend: { pollIntervalMs: 20 },
      };
      await row.attempt(`${free / 1024} KiB free`, async () => {
        const { problems, expect } = problemList();
        const first = await startCoordinator('launch', launch).exited;
        const events = first.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
        const end = events.at(-1);
        expect(first.signal === null && !/at .*\.js:\d+/.test(first.stderr), `the coordinator crashed: ${first.stderr.slice(0, 400)}`);
        expect(end?.event === 'error' || end?.state === 'FAILED' || end?.state === 'COMPLETED', `it ended with ${JSON.stringify(end)}`);
        if (end?.event === 'error') expect(/full|ENOSPC|space/i.test(end.message) && !end.message.includes('\n'), `unclear error: ${end.message}`);
        rmSync(filler);
        const file = join(studyDir, core.STUDY_STORE_FILE);
        if (existsSync(file)) {
          const integrity = integrityCheck(file);
          expect(integrity === 'ok', `integrity_check: ${integrity}`);
        }
        let stored;
        try {
          stored = core.openStudy(name, { studyDir });
        } catch (error) {
          expect(error.code === 'STUDY_NOT_FOUND', `openStudy: ${error.code} ${error.message}`);
        }
        const again = await startCoordinator(stored ? 'resume' : 'launch', stored ? { name, studyDir, backend: launch.backend } : launch).exited;
        expect(/"state":"COMPLETED"/.test(again.stdout), `with space back: ${again.stdout.trim().split('\n').at(-1)}`);
        const trials = core.openStudy(name, { studyDir }).trials;
        const succeeded = trials.filter((trial) => trial.state === 'SUCCEEDED').map((trial) => trial.parameters.x).sort();
        expect(JSON.stringify(succeeded) === '[1,2,3,4,5,6]', `succeeded: ${JSON.stringify(succeeded)}`);
        return problems;
      });
      rmSync(studyDir, { recursive: true, force: true });
    }
  } finally {
    execFileSync('umount', [mountPoint]);
  }
  return row;
}
