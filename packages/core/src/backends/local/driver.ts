import { existsSync, lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HptuneError, ValidationError } from '../../errors.js';
import { createSampler } from '../../samplers/create.js';
import type { Sampler } from '../../samplers/types.js';
import type { SearchSpace } from '../../space/types.js';
import { searchSpaceFromJSON } from '../../space/json.js';
import { stoppingRuleFromSpec } from '../../stopping/from-spec.js';
import type { EarlyStoppingSpec, StoppingRule } from '../../stopping/types.js';
import { storeErrors } from '../../study-store/rules.js';
import { openSqliteStudyStore } from '../../study-store/sqlite.js';
import type { DriverLaunch, DriverResume } from '../../study/driver.js';
import type { StudyDefinition } from '../../study/definition.js';
import { takeOverTrials } from './adopt.js';
import { LocalStudyRun } from './coordinator.js';
import { checkLeaseTakeover, currentLeaseOwner } from './liveness.js';
import { DEFAULT_STUDY_DIR, isNonEmptyDir, type LocalBackendOptions, prepareStudyDir, resolveStudyDir, storeFileIn, validateTrainer } from './settings.js';

/** The local backend's settings, checked, with their defaults. */
type LocalRunSettings = Required<LocalBackendOptions>;

/**
 * Refuses a study folder that is a symbolic link: trials would write wherever it points, outside
 * the study dir (and a link planted by someone else would take a study's files elsewhere).
 */
function refuseSymlinkedFolder(directory: string, studyDir: string): void {
  let isLink = false;
  try {
    isLink = lstatSync(directory).isSymbolicLink();
  } catch {
    return;
  }
  if (!isLink) return;
  throw new HptuneError(
    'STUDY_DIR_SYMLINK',
    `the study folder ${directory} is a symbolic link (to ${readlinkSync(directory)}); hptune keeps a study's files inside its study dir: remove the link, or pass the folder where the files should go as studyDir instead of ${studyDir}`,
    { exitCode: 2 },
  );
}

/**
 * Creates a study in the SQLite store under the study directory, takes its lease, and returns the
 * run that starts its trials as child processes.
 * @throws ValidationError for the trainer or the study directory; HptuneError `STUDY_EXISTS`, `STUDY_LOCKED`.
 */
export function launchLocalStudy(launch: DriverLaunch, settings: LocalRunSettings): LocalStudyRun {
  const trainer = validateTrainer(launch.trainer);
  const studyDir = prepareStudyDir(launch.studyDir ?? DEFAULT_STUDY_DIR);
  const definition = { ...launch.definition, trainer, backend: 'local' as const };
  const sampler = launch.sampler ?? samplerOf(definition, launch.space);
  const storeFile = storeFileIn(studyDir);
  const directory = join(studyDir, definition.name);
  refuseSymlinkedFolder(directory, studyDir);
  const owner = currentLeaseOwner();
  const store = openSqliteStudyStore({ file: storeFile });
  try {
    const existing = store.getStudy(definition.name);
    if (existing) {
      // A live coordinator is the more useful thing to say; otherwise the study just exists.
      if (existing.lease) checkLeaseTakeover(definition.name, existing.lease, owner, false);
      throw storeErrors.studyExists(definition.name, existing.state);
    }
    if (isNonEmptyDir(directory)) {
      throw new HptuneError(
        'STUDY_EXISTS',
        `study ${JSON.stringify(definition.name)} is not in ${storeFile}, but its folder ${directory} holds files from an earlier study; delete that folder or choose another name`,
        { exitCode: 2 },
      );
    }
    const record = store.createStudy(definition, owner);
    try {
      mkdirSync(directory, { recursive: true, mode: 0o755 });
    } catch (error) {
      store.releaseLease(definition.name, owner.token);
      throw new HptuneError('STUDY_DIR_UNWRITABLE', `cannot create the study folder ${directory}: ${(error as Error).message}; check the permissions of ${studyDir}, then resumeStudy(${JSON.stringify(definition.name)})`, { cause: error });
    }
    return new LocalStudyRun({
      store,
      token: owner.token,
      record,
      directory,
      storeFile,
      trainer,
      sampler,
      parallelTrials: definition.parallelTrials,
      ...(launch.stoppingRule ? { stoppingRule: launch.stoppingRule } : {}),
      ...limitsOf(definition),
      ...settings,
    });
  } catch (error) {
    store.close();
    throw error;
  }
}

/**
 * Takes a stored study's lease (refused while its coordinator lives; taken over when it died),
 * adopts each trial it left ACTIVE whose trainer ran on this host (waited for while it runs;
 * recorded from its outputs when it completed unwatched; run again otherwise), records the other
 * unfinished trials as INFEASIBLE (`interrupted`) with a REQUESTED re-run, and returns the run
 * that stops those trials' processes, then finishes the study.
 * Settings given here apply to this run only; the stored definition is unchanged.
 * @throws HptuneError `STUDY_NOT_FOUND` (exit code 2), `STUDY_LOCKED`.
 */
export function resumeLocalStudy(resume: DriverResume, settings: LocalRunSettings): LocalStudyRun {
  const { name } = resume;
  const studyDir = resolveStudyDir(resume.studyDir ?? DEFAULT_STUDY_DIR);
  const storeFile = storeFileIn(studyDir);
  if (!existsSync(storeFile)) throw storeErrors.studyNotFound(name, studyDir);
  refuseSymlinkedFolder(join(studyDir, name), studyDir);
  const store = openSqliteStudyStore({ file: storeFile });
  try {
    const stored = store.getStudy(name);
    if (!stored) throw storeErrors.studyNotFound(name, studyDir);
    const { definition } = stored;
    if (!definition.trainer) throw new HptuneError('STUDY_NOT_LOCAL', `study ${JSON.stringify(name)} in ${storeFile} has no trainer command, so it cannot run here`, { exitCode: 2 });
    const space = searchSpaceFromJSON(definition.space);
    const sampler = resumedSampler(name, definition, space, resume.sampler);
    const stoppingRule = storedStoppingRule(definition.earlyStopping, resume.stoppingRule);
    const owner = currentLeaseOwner();
    store.acquireLease(name, owner, { takeOver: (held) => checkLeaseTakeover(name, held, owner, resume.forceUnlock) });
    try {
      const directory = join(studyDir, name);
      const { adopted, interrupted, decided } = takeOverTrials(store, name, owner.token, directory);
      store.setStudyState(name, 'ACTIVE', owner.token);
      const record = store.getStudy(name);
      if (!record) throw storeErrors.studyNotFound(name, studyDir);
      mkdirSync(directory, { recursive: true, mode: 0o755 });
      return new LocalStudyRun({
        store,
        token: owner.token,
        record,
        directory,
        storeFile,
        trainer: definition.trainer,
        sampler,
        parallelTrials: resume.parallelTrials ?? definition.parallelTrials,
        ...(stoppingRule ? { stoppingRule } : {}),
        ...limitsOf({
          maxFailedTrials: resume.maxFailedTrials ?? definition.maxFailedTrials,
          trialTimeoutSeconds: resume.trialTimeoutSeconds ?? definition.trialTimeoutSeconds,
        }),
        ...settings,
        interrupted,
        decided,
        adopted,
      });
    } catch (error) {
      store.releaseLease(name, owner.token);
      throw error;
    }
  } catch (error) {
    store.close();
    throw error;
  }
}

/** hptune's own sampler of a stored study's algorithm. */
function samplerOf(definition: Omit<StudyDefinition, 'trainer' | 'backend'>, space: SearchSpace): Sampler {
  // A custom study always brings its sampler; the algorithm here is one of hptune's.
  if (definition.algorithm === 'custom') throw new HptuneError('SAMPLER_REQUIRED', `study ${JSON.stringify(definition.name)} runs a custom sampler; pass it as sampler`, { exitCode: 2 });
  return createSampler({ algorithm: definition.algorithm, space, metric: definition.metric, seed: definition.seed });
}

/**
 * The sampler a resumed study runs: hptune's own for its algorithm, or the one the user brings
 * again for a study launched with a custom sampler (required then, and refused otherwise).
 * @throws HptuneError `SAMPLER_REQUIRED` (exit code 2); ValidationError for a sampler that is not the study's.
 */
function resumedSampler(name: string, definition: StudyDefinition, space: SearchSpace, given: Sampler | undefined): Sampler {
  const stored = definition.sampler;
  if (stored === undefined) {
    if (given !== undefined) {
      throw new ValidationError({
        field: 'sampler',
        value: given.algorithm,
        problem: `is not how study ${JSON.stringify(name)} searches: it runs hptune's ${definition.algorithm} search`,
        fix: 'leave sampler unset',
      });
    }
    return samplerOf(definition, space);
  }
  if (given === undefined) {
    throw new HptuneError(
      'SAMPLER_REQUIRED',
      `study ${JSON.stringify(name)} was launched with a custom sampler (${JSON.stringify(stored.name)}), which is code and is not stored; ` +
        `pass it again: resumeStudy(${JSON.stringify(name)}, { sampler })`,
      { exitCode: 2 },
    );
  }
  if (given.algorithm !== stored.name) {
    throw new ValidationError({
      field: 'sampler.algorithm',
      value: given.algorithm,
      problem: `is not the sampler study ${JSON.stringify(name)} was launched with (${JSON.stringify(stored.name)})`,
      fix: `pass the sampler named ${JSON.stringify(stored.name)}`,
    });
  }
  return given;
}

/** The rule a resumed study runs with: the one given again, or the one rebuilt from its stored settings. */
function storedStoppingRule(stored: EarlyStoppingSpec | undefined, given: StoppingRule | undefined): StoppingRule | undefined {
  if (given === undefined) return stored === undefined ? undefined : stoppingRuleFromSpec(stored);
  if (given.spec.kind !== stored?.kind) {
    throw new ValidationError({
      field: 'earlyStopping',
      value: given.spec,
      problem: stored === undefined ? 'is given, but the study was launched without early stopping' : `is not the study's rule (${JSON.stringify(stored.kind)})`,
      fix: 'leave it unset: a study keeps the rule it was launched with',
    });
  }
  return given;
}

function limitsOf(limits: { readonly maxFailedTrials?: number | undefined; readonly trialTimeoutSeconds?: number | undefined }): { maxFailedTrials?: number; trialTimeoutSeconds?: number } {
  return {
    ...(limits.maxFailedTrials === undefined ? {} : { maxFailedTrials: limits.maxFailedTrials }),
    ...(limits.trialTimeoutSeconds === undefined ? {} : { trialTimeoutSeconds: limits.trialTimeoutSeconds }),
  };
}
