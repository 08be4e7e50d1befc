import { createDependencyLoader } from '@hptune/trial';

/** Loads one of this package's CommonJS dependencies on first use, resolved from this package. */
export const loadDependency = createDependencyLoader(import.meta.url);
