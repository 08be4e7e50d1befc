import { resolve } from 'node:path';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, isLoopbackHost, startDashboard } from '@hptune/report';
import type { CliIo } from '../io.js';

/** `hptune dashboard`: serves the studies of a study directory until Ctrl-C (SIGINT), SIGTERM or SIGHUP. */
export async function dashboardCommand(flags: { studyDir: string; port?: number; host?: string }, io: CliIo): Promise<number> {
  const host = flags.host ?? DEFAULT_DASHBOARD_HOST;
  const port = flags.port ?? DEFAULT_DASHBOARD_PORT;
  const studyDir = resolve(flags.studyDir);
  if (!isLoopbackHost(host)) {
    io.stderr.write(
      `hptune: warning: --host ${host} lets anyone who can reach this machine read every study in ${studyDir} (the dashboard has no login); ` +
        `prefer the default 127.0.0.1 with an SSH tunnel (ssh -L ${port}:127.0.0.1:${port} this-host)\n`,
    );
  }
  const dashboard = await startDashboard({ studyDir, host, port, onWarning: (message) => io.stderr.write(`hptune: warning: ${message}\n`) });
  io.stdout.write(`hptune dashboard: ${dashboard.url} (studies in ${studyDir}, read-only; Ctrl-C stops it)\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('SIGHUP', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // A closed terminal ends the dashboard cleanly too.
    process.on('SIGHUP', stop);
  });
  await dashboard.close();
  io.stdout.write('hptune dashboard: stopped\n');
  return 0;
}
