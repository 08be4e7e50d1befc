import { hptuneBuild } from '../../tsup.base.js';

// One entry per subpath export of package.json; `vitest` (./testing only) stays external as a peer.
// `errors` is its own entry so a caller that only checks errors (the CLI's start-up) need not load
// the whole library; splitting puts the classes in one shared chunk, so `instanceof` holds across all.
export default hptuneBuild({
  index: 'src/index.ts',
  errors: 'src/errors.ts',
  tensorboard: 'src/tensorboard.ts',
  blob: 'src/blob.ts',
  local: 'src/backends/local/index.ts',
  vertex: 'src/backends/vertex/index.ts',
  testing: 'src/testing/index.ts',
  algorithms: 'src/algorithms.ts',
});
