import { hptuneBuild } from '../../tsup.base.js';

export default hptuneBuild({ index: 'src/index.ts' });
