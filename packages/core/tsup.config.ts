import { hptuneBuild } from '../../tsup.base.js';

// `errors` is its own entry so a caller that only checks errors (the CLI's start-up) need not load
// the whole library; splitting puts the classes in one shared chunk, so `instanceof` holds across both.
export default hptuneBuild({ index: 'src/index.ts', errors: 'src/errors.ts' });
