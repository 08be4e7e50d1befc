import { HptuneError } from '@hptune/core/errors';

/**
 * The packages the CLI uses for some commands only, each an optional peer dependency of
 * `@hptune/cli`: a user who tunes their own program installs neither TensorFlow.js (through the
 * LeNet-5 trainer) nor Vertex AI's client.
 */
export const OPTIONAL_PACKAGES = {
  '@hptune/trainer': 'the built-in LeNet-5 trainer (the train command; study run without a program after --; launch without --use-custom-container)',
  '@google-cloud/aiplatform': "Vertex AI's job client (the launch and jobs commands)",
} as const;

/** An optional package of the CLI. */
export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/**
 * Imports an optional package of the CLI when a command needs it.
 * @throws HptuneError `DEPENDENCY_MISSING` (exit code 1), one line naming the package to add,
 *   when it is not installed; any other failure to load it is thrown as it is.
 */
export async function importOptional<T>(name: OptionalPackage, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, name)) throw missingDependency(name, error);
    throw error;
  }
}

/** The one-line error for an optional package that is not installed. */
export function missingDependency(name: OptionalPackage, cause?: unknown): HptuneError {
  return new HptuneError(
    'DEPENDENCY_MISSING',
    `${name} is not installed, and ${OPTIONAL_PACKAGES[name]} needs it: add it beside @hptune/cli (npm install ${name}, or pnpm add ${name})`,
    { cause },
  );
}

/** Whether `error` says that `name` itself (not something it imports) could not be found. */
export function isMissing(error: unknown, name: string): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = (error as Error).message;
  return message.includes(`'${name}'`) || message.includes(`'${name}/`) || message.includes(`"${name}"`);
}
