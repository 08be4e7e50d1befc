import { hptuneBuild } from '../../tsup.base.js';

// `format` is its own entry with no Node.js import: the report's browser page bundles it.
export default hptuneBuild({ index: 'src/index.ts', format: 'src/format.ts' });
