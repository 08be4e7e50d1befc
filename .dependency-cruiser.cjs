/**
 * Architecture rules, checked by `pnpm lint` (dependency-cruiser): a wrong import fails CI like a
 * wrong assertion. The layering, top to bottom (nothing points back up):
 *
 *   cli -> trainer, report -> core -> outputs -> trial
 *          trainer ----------------> outputs, trial   (never core: no SQLite in a trial)
 *
 * and, inside core: space <- samplers, stopping <- study <- study-store, backends. Leaves any layer
 * of core may import: `algorithms.ts`, `errors.ts`, and `study/types.ts` (FrozenTrial, MetricSpec:
 * what samplers and stopping rules see; it imports nothing of core but `space/types.ts`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
const pkg = (name) => `^packages/${name}/`;
const ours = '^packages/(trial|outputs|core|trainer|report|cli)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports included): split the shared part into its own module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'trial-imports-no-package',
      severity: 'error',
      comment: '@hptune/trial is the bottom layer: what a trial process installs. It imports none of our other packages.',
      from: { path: pkg('trial') },
      to: { path: ours, pathNot: pkg('trial') },
    },
    {
      name: 'outputs-imports-only-trial',
      severity: 'error',
      comment: '@hptune/outputs sits on @hptune/trial only.',
      from: { path: pkg('outputs') },
      to: { path: ours, pathNot: `${pkg('outputs')}|${pkg('trial')}` },
    },
    {
      name: 'core-imports-only-trial-and-outputs',
      severity: 'error',
      comment: '@hptune/core never imports the trainer, the report or the CLI (they sit above it).',
      from: { path: pkg('core') },
      to: { path: ours, pathNot: `${pkg('core')}|${pkg('outputs')}|${pkg('trial')}` },
    },
    {
      name: 'trainer-imports-no-core',
      severity: 'error',
      comment: 'The trainer runs in trials: it imports @hptune/trial and @hptune/outputs, never core (better-sqlite3), the report or the CLI.',
      from: { path: pkg('trainer') },
      to: { path: ours, pathNot: `${pkg('trainer')}|${pkg('outputs')}|${pkg('trial')}` },
    },
    {
      name: 'report-imports-no-cli-or-trainer',
      severity: 'error',
      comment: '@hptune/report sits on core; the CLI sits on it.',
      from: { path: pkg('report') },
      to: { path: `${pkg('cli')}|${pkg('trainer')}` },
    },
    {
      name: 'no-package-reaches-into-another-src',
      severity: 'error',
      comment: "Code and tests import a sibling package by its name (its built entry), never its src/ files. The private fixtures package @hptune/testing is source-only by design.",
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/[^/]+/src/', pathNot: '^packages/($1|testing)/' },
    },
    {
      name: 'core-space-is-the-base',
      severity: 'error',
      comment: "core's space/ (search spaces) is below everything else in core: it imports no sampler, rule, study, store or backend.",
      from: { path: '^packages/core/src/space/', pathNot: '\\.test(-d)?\\.ts$' },
      to: { path: '^packages/core/src/(samplers|stopping|study|study-store|backends|testing)/' },
    },
    {
      name: 'core-algorithms-below-studies',
      severity: 'error',
      comment: "core's samplers/ and stopping/ see frozen trials, never a study, its store or a backend.",
      from: { path: '^packages/core/src/(samplers|stopping)/', pathNot: '(\\.test(-d)?\\.ts|conformance\\.ts)$' },
      to: { path: '^packages/core/src/(study-store|backends)/' },
    },
    {
      name: 'core-store-below-backends',
      severity: 'error',
      comment: "core's study-store/ is used by the backends, never the other way round.",
      from: { path: '^packages/core/src/study-store/' },
      to: { path: '^packages/core/src/backends/' },
    },
    {
      name: 'core-local-and-vertex-apart',
      severity: 'error',
      comment: "The local and Vertex AI backends share core's study contract, not each other's files.",
      from: { path: '^packages/core/src/backends/(local|vertex)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^packages/core/src/backends/(local|vertex)/', pathNot: '^packages/core/src/backends/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
