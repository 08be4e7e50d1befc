import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsBlobStore } from '@hptune/outputs/blob';
import { uploadFileVerified } from '@hptune/outputs/blob';
import type { RetryOptions } from '@hptune/outputs/retry';
import { checkTrainerPackage, packWithLocalDependencies } from './pack.js';

/** The manifest a staged trainer's trials read first: what to download, check and start. */
export interface StagingManifest {
  readonly format: 1;
  /** The command the trainer package installs, which each trial runs with its arguments. */
  readonly command: string;
  /** Tarballs in the manifest's folder, dependencies first, as `npm install` takes them. */
  readonly packages: readonly { readonly name: string; readonly version: string; readonly file: string; readonly size: number; readonly sha256: string }[];
}

/** The folder a study's trainer is staged in: `gs://<bucket>/hptune/staging/<study>/`. */
export function stagingFolderUri(bucket: string, study: string): string {
  return `gs://${bucket}/hptune/staging/${study}/`;
}

/** The manifest of a study's staged trainer: `gs://<bucket>/hptune/staging/<study>/manifest.json`. */
export function stagingManifestUri(bucket: string, study: string): string {
  return `${stagingFolderUri(bucket, study)}manifest.json`;
}

/** Options of {@link stageTrainer}. */
export interface StageTrainerOptions {
  readonly bucket: string;
  /** The study's name: the staging folder's. */
  readonly study: string;
  /** The trainer package's folder (built), e.g. where `@hptune/trainer`'s package.json is. */
  readonly trainerPackageDir: string;
  /** The Cloud Storage JSON API endpoint. @default Google's */
  readonly storageApiEndpoint?: string;
  readonly retry?: Partial<RetryOptions>;
}

/** A trainer staged for a study. */
export interface StagedTrainer {
  /** `gs://<bucket>/hptune/staging/<study>/manifest.json`. */
  readonly manifestUri: string;
  /** The command each trial runs once installed, e.g. `hptune-train`. */
  readonly command: string;
  /** The tarballs uploaded, dependencies first, as the manifest lists them. */
  readonly packages: StagingManifest['packages'];
  /** Bytes uploaded, tarballs and manifest. */
  readonly bytes: number;
}

/**
 * Stages a trainer for trials on a stock Node image: packs the trainer package and its local
 * (workspace) dependencies, uploads each tarball to {@link stagingFolderUri} verified (size and
 * CRC-32C read back), then the manifest with their SHA-256s. The manifest goes last, so a trial
 * never finds a staging that is half written.
 * @throws ValidationError (`trainerPackageDir`) when the package is not built or has not exactly one command;
 * HptuneError when an upload cannot be verified.
 */
export async function stageTrainer(options: StageTrainerOptions): Promise<StagedTrainer> {
  const workDir = await mkdtemp(join(tmpdir(), 'hptune-stage-'));
  try {
    const { command } = checkTrainerPackage(options.trainerPackageDir);
    const packages = await packWithLocalDependencies(options.trainerPackageDir, workDir);
    const store = new GcsBlobStore({
      bucket: options.bucket,
      prefix: `hptune/staging/${options.study}`,
      ...(options.storageApiEndpoint ? { apiEndpoint: options.storageApiEndpoint } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    for (const packed of packages) await uploadFileVerified(store, packed.path, packed.fileName);
    const manifest: StagingManifest = {
      format: 1,
      command,
      packages: packages.map(({ name, version, fileName, size, sha256 }) => ({ name, version, file: fileName, size, sha256 })),
    };
    const manifestPath = join(workDir, 'manifest.json');
    const manifestText = JSON.stringify(manifest, null, 2) + '\n';
    await writeFile(manifestPath, manifestText);
    await uploadFileVerified(store, manifestPath, 'manifest.json');
    return {
      manifestUri: stagingManifestUri(options.bucket, options.study),
      command,
      packages: manifest.packages,
      bytes: packages.reduce((sum, packed) => sum + packed.size, Buffer.byteLength(manifestText)),
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
