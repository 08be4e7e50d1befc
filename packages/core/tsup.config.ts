import { hptuneBuild } from '../../tsup.base.js';

// One entry per subpath export of package.json; `vitest` (./testing only) stays external as a peer.
export default hptuneBuild({
  index: 'src/index.ts',
  tensorboard: 'src/tensorboard/index.ts',
  blob: 'src/blob/index.ts',
  vertex: 'src/backends/vertex/index.ts',
  testing: 'src/testing/index.ts',
});
