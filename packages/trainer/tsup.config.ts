import { hptuneBuild } from '../../tsup.base.js';

// `settings` is its own entry: the CLI reads the trainer's settings at start-up without loading TensorFlow.js.
export default hptuneBuild({ index: 'src/index.ts', bin: 'src/bin.ts', settings: 'src/settings.ts' });
