import { hptuneBuild } from '../../tsup.base.js';

// The trainer's settings (plain data, no TensorFlow.js) are bundled in: the CLI's flags derive from
// them at start-up, while @hptune/trainer itself stays an optional peer loaded on use.
export default hptuneBuild({ index: 'src/index.ts', bin: 'src/bin.ts' }, { noExternal: [/^@hptune\/trainer\/settings$/] });
