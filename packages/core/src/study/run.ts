import { HptuneError } from '../errors.js';
import type { TrialParameters } from '../space/types.js';
import { bestTrial } from './best.js';
import type { StudyEventSink, StudyExecution, StudyOutcome } from './driver.js';
import type { StudyEvents, StudyHandle, StudyResult } from './handle.js';
import type { FrozenTrial } from './types.js';

type AnyListener = (event: never) => void;

/**
 * Runs a driver's study behind the one {@link StudyHandle} every backend returns: one listener
 * registry (a throwing listener is isolated and reported as a `warning`), the abort signal wired
 * to `cancel()`, and one way a study ends (`studyCompleted` or `studyStopped`, then `wait()` settles).
 * The driver's work starts on the next task, so listeners added right after the launch miss nothing.
 */
export function runStudy<P extends TrialParameters, Details, Extra extends object>(
  execution: StudyExecution<Details, Extra>,
  signal: AbortSignal | undefined,
): StudyHandle<P, Details, Extra> {
  type Events = StudyEvents<P> & Extra;
  const listeners = new Map<PropertyKey, Set<AnyListener>>();
  const metric = execution.info().metric;
  const trials = () => execution.trials() as readonly FrozenTrial<P>[];

  /** Calls each listener; one that throws is reported as a warning, never stopping the study. */
  const emit = <E extends keyof Events>(event: E, payload: Events[E]): void => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as (value: Events[E]) => void)(payload);
      } catch (error) {
        if (event === 'warning') continue;
        emit('warning', {
          code: 'LISTENER_FAILED',
          message: `a listener of ${String(event)} threw: ${error instanceof Error ? error.message : String(error)}; the study goes on`,
          cause: error,
        } as Events['warning']);
      }
    }
  };

  const sink: StudyEventSink<Extra> = {
    trialStarted: (event) => emit('trialStarted', event as Events['trialStarted']),
    measurement: (event) => emit('measurement', event as Events['measurement']),
    trialCompleted: (event) => emit('trialCompleted', event as Events['trialCompleted']),
    warning: (event) => emit('warning', event as Events['warning']),
    extra: (event, payload) => emit(event, payload as Events[typeof event]),
  };

  const cancel = () => execution.cancel();
  const onAbort = () => {
    cancel().catch((error: unknown) =>
      sink.warning({ code: 'CANCEL_FAILED', message: `the abort signal could not cancel the study: ${error instanceof Error ? error.message : String(error)}`, cause: error }),
    );
  };

  const done = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => {
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
      return execution.run(sink);
    })
    .catch((error: unknown): StudyOutcome => ({ state: 'FAILED', error: asStudyError(error) }))
    .then((outcome) => {
      signal?.removeEventListener('abort', onAbort);
      const all = trials();
      const result: StudyResult<P> = { study: execution.info(), trials: all, best: bestTrial(all, metric) };
      if (outcome.state === 'COMPLETED') {
        emit('studyCompleted', result as Events['studyCompleted']);
        return result;
      }
      emit('studyStopped', { ...result, error: outcome.error } as Events['studyStopped']);
      throw outcome.error;
    });
  // `wait()` hands this promise out; a study nobody waits for must not crash the process.
  done.catch(() => {});

  return {
    get study() {
      return execution.info();
    },
    backend: execution.details,
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as AnyListener);
      return () => void set.delete(listener as AnyListener);
    },
    wait: () => done,
    cancel,
    stop: () => execution.stop(),
    trials,
    best: () => bestTrial(trials(), metric),
  };
}

function asStudyError(error: unknown): HptuneError {
  if (error instanceof HptuneError) return error;
  return new HptuneError('STUDY_RUN_FAILED', `the study's run failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
