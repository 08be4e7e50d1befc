import { hptuneBuild } from '../../tsup.base.js';

// One entry per subpath export of package.json; `vitest` (./testing only) stays external as a peer.
export default hptuneBuild({
  blob: 'src/blob/index.ts',
  tensorboard: 'src/tensorboard/index.ts',
  retry: 'src/retry.ts',
  testing: 'src/testing.ts',
});
