import { hptuneBuild } from '../../tsup.base.js';

// The Node side: data shaping, the HTML writer and the dashboard server. The page (browser code
// with ECharts bundled in) builds after it with tsup.page.config.ts, since this build cleans dist/.
export default hptuneBuild({ index: 'src/index.ts' });
