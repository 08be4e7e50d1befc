import { defineConfig } from 'tsup';

// The page every report and the dashboard run: one classic script (IIFE) with ECharts and our code,
// and its stylesheet, both inlined into each HTML file by src/assets.ts, so a report needs no network.
export default defineConfig({
  entry: { page: 'src/page/main.ts' },
  format: ['iife'],
  platform: 'browser',
  target: 'es2020',
  outDir: 'dist',
  minify: true,
  sourcemap: false,
  dts: false,
  clean: false,
  splitting: false,
  treeshake: true,
  noExternal: [/.*/],
});
