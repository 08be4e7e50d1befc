import { importOptional } from '../optional-dependency.js';

/** `hptune train`: hands every flag to the trainer, exactly as the `hptune-train` entrypoint would get them. */
export async function runTrainCommand(trainerFlags: readonly string[]): Promise<number> {
  const { runTrainerCli } = await importOptional('@hptune/trainer', () => import('@hptune/trainer'));
  return runTrainerCli([...trainerFlags]);
}
