import type { ContainerSpecRequest } from '../request.js';

/** The stock image staged trials run on when no `containerUri` is given: Node 22 on Debian, from Docker Hub. */
export const DEFAULT_STOCK_NODE_IMAGE = 'node:22-bookworm-slim';

/** The environment variable that tells a staged trial where its manifest is (`gs://.../manifest.json`). */
export const STAGED_TRAINER_ENV = 'HPTUNE_STAGED_TRAINER';

/**
 * The program each staged trial runs first (as `node -e`, on a stock Node image): takes an access
 * token from the machine's metadata server, downloads the manifest named by
 * `HPTUNE_STAGED_TRAINER` and its tarballs through the Cloud Storage JSON API (retrying transient
 * failures), checks each tarball's SHA-256, installs them with `npm install` (registry
 * dependencies included; install scripts off), then runs the trainer's command with the trial's
 * arguments, passing SIGTERM and SIGINT on, and exits with its status. Each step logs its time.
 *
 * It is sent as source text, so it may use only its parameter and the globals of Node 20+
 * (`fetch`, `process`, `Buffer`). `HPTUNE_GCS_API_ENDPOINT` and `GCE_METADATA_HOST` override the
 * Google endpoints, as the trainer's and Google's libraries allow.
 * @see https://cloud.google.com/compute/docs/access/authenticate-workloads#applications (tokens from the metadata server)
 */
export async function stagedTrialBootstrap(nodeRequire: NodeJS.Require): Promise<void> {
  const fs = nodeRequire('node:fs') as typeof import('node:fs');
  const path = nodeRequire('node:path') as typeof import('node:path');
  const os = nodeRequire('node:os') as typeof import('node:os');
  const crypto = nodeRequire('node:crypto') as typeof import('node:crypto');
  const childProcess = nodeRequire('node:child_process') as typeof import('node:child_process');
  const log = (line: string): void => void process.stderr.write(`hptune bootstrap: ${line}\n`);
  const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  /** GET with up to 5 tries on network errors, 429 and 5xx (1, 2, 4, 8 s apart). */
  const getWithRetry = async (url: string, headers: Record<string, string>, what: string): Promise<Buffer> => {
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(url, { headers });
        if (response.ok) return Buffer.from(await response.arrayBuffer());
        const body = (await response.text()).slice(0, 300);
        problem = `HTTP ${response.status} ${body}`;
        if (response.status !== 429 && response.status < 500) throw new Error(`${what}: ${problem}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith(`${what}:`)) throw error;
        problem = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
      }
      if (attempt === 5) throw new Error(`${what}: ${problem} (after ${attempt} tries)`);
      log(`${what}: ${problem}; trying again`);
      await sleep(1000 * 2 ** (attempt - 1));
    }
  };

  try {
    const started = Date.now();
    const manifestUri = process.env.HPTUNE_STAGED_TRAINER ?? '';
    const location = /^gs:\/\/([^/]+)\/(.+)$/.exec(manifestUri);
    if (!location) throw new Error(`HPTUNE_STAGED_TRAINER is ${JSON.stringify(manifestUri)}, not the gs:// URI of a staging manifest; launch the study again with hptune launch`);
    const bucket = location[1] as string;
    const manifestObject = location[2] as string;
    const api = (process.env.HPTUNE_GCS_API_ENDPOINT ?? 'https://storage.googleapis.com').replace(/\/+$/, '');
    const metadataHost = process.env.GCE_METADATA_HOST ?? 'metadata.google.internal';

    const tokenBytes = await getWithRetry(
      `http://${metadataHost}/computeMetadata/v1/instance/service-accounts/default/token`,
      { 'Metadata-Flavor': 'Google' },
      'getting an access token from the metadata server',
    );
    const token = (JSON.parse(tokenBytes.toString('utf8')) as { access_token?: string }).access_token;
    if (!token) throw new Error('the metadata server answered without an access_token');
    const download = (object: string): Promise<Buffer> =>
      getWithRetry(`${api}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(object)}?alt=media`, { Authorization: `Bearer ${token}` }, `downloading gs://${bucket}/${object}`);

    const manifest = JSON.parse((await download(manifestObject)).toString('utf8')) as {
      format?: number;
      command?: string;
      packages?: { name: string; file: string; sha256: string }[];
    };
    if (manifest.format !== 1 || typeof manifest.command !== 'string' || !Array.isArray(manifest.packages) || manifest.packages.length === 0) {
      throw new Error(`${manifestUri} is not a staging manifest this bootstrap reads (format 1); launch the study again with the same hptune version`);
    }
    const folder = manifestObject.slice(0, manifestObject.lastIndexOf('/') + 1);
    const installDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hptune-trainer-'));
    let bytes = 0;
    for (const pkg of manifest.packages) {
      const data = await download(folder + pkg.file);
      const digest = crypto.createHash('sha256').update(data).digest('hex');
      if (digest !== pkg.sha256) {
        throw new Error(`gs://${bucket}/${folder}${pkg.file} has SHA-256 ${digest}, not the manifest's ${pkg.sha256}: the staging folder changed after the launch; launch the study again`);
      }
      fs.writeFileSync(path.join(installDir, pkg.file), data);
      bytes += data.length;
    }
    log(`downloaded ${manifest.packages.map((pkg) => pkg.name).join(', ')} (${Math.round(bytes / 1024)} KiB) in ${seconds(started)} s`);

    const installing = Date.now();
    fs.writeFileSync(path.join(installDir, 'package.json'), '{ "private": true }\n');
    const npm = childProcess.spawnSync(
      'npm',
      ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', ...manifest.packages.map((pkg) => `./${pkg.file}`)],
      { cwd: installDir, stdio: ['ignore', 2, 2] },
    );
    if (npm.error) throw new Error(`npm could not start (${npm.error.message}); the image needs Node.js with npm, e.g. node:22-bookworm-slim`);
    if (npm.status !== 0) throw new Error(`npm install exited with ${npm.status ?? npm.signal}; its output is above`);
    log(`installed with npm in ${seconds(installing)} s; starting ${manifest.command} (${seconds(started)} s after the trial began)`);

    const trainer = childProcess.spawn(path.join(installDir, 'node_modules', '.bin', manifest.command), process.argv.slice(1), { stdio: 'inherit' });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => trainer.kill(signal));
    trainer.on('error', (error) => {
      log(`${manifest.command} could not start: ${error.message}`);
      process.exit(1);
    });
    trainer.on('exit', (code, signal) => {
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
        return;
      }
      process.exit(code ?? 1);
    });
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

/** Options of {@link stagedTrialContainer}. */
export interface StagedTrialContainerOptions {
  /** The stock image. @default {@link DEFAULT_STOCK_NODE_IMAGE} */
  readonly imageUri?: string;
  /** Where the staging manifest is: `gs://<bucket>/hptune/staging/<study>/manifest.json`. */
  readonly manifestUri: string;
  /** Arguments for the trainer in every trial; Vertex appends the trial's `--<param>=<value>`. */
  readonly trainerArgs: readonly string[];
}

/**
 * The `ContainerSpec` of a staged trial: `node -e <bootstrap> -- <trainer args>` on a stock Node
 * image, with the manifest's URI in `HPTUNE_STAGED_TRAINER`. The `--` keeps Node from reading the
 * trial's `--<param>=<value>` arguments as its own options.
 */
export function stagedTrialContainer(options: StagedTrialContainerOptions): ContainerSpecRequest {
  return {
    imageUri: options.imageUri ?? DEFAULT_STOCK_NODE_IMAGE,
    command: ['node', '-e', `(${stagedTrialBootstrap.toString()})(require)`],
    args: ['--', ...options.trainerArgs],
    env: [{ name: STAGED_TRAINER_ENV, value: options.manifestUri }],
  };
}
