import { hptuneBuild } from '../../tsup.base.js';

// The code builds as one (shared chunks: one copy of each module at run time); the declarations of
// each entry build alone, so that index.d.ts and settings.d.ts share no chunk with training.d.ts and
// never import @tensorflow/tfjs's typings (see src/index.ts). `settings` is its own entry: the CLI
// reads the trainer's settings at start-up without loading TensorFlow.js.
export default [
  hptuneBuild({ index: 'src/index.ts', training: 'src/training.ts', bin: 'src/bin.ts', settings: 'src/settings.ts' }, { dts: false, clean: false }),
  hptuneBuild({ index: 'src/index.ts', bin: 'src/bin.ts', settings: 'src/settings.ts' }, { dts: { only: true }, clean: false }),
  hptuneBuild({ training: 'src/training.ts' }, { dts: { only: true }, clean: false }),
];
