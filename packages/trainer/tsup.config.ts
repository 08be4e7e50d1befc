import { hptuneBuild } from '../../tsup.base.js';

export default hptuneBuild({ index: 'src/index.ts', bin: 'src/bin.ts' });
