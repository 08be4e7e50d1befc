import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { makeDirectoryAsync } from '@hptune/trial';
import { crc32cBase64, fileChecksum } from './checksum.js';
import { checkBlobName, checkBlobPrefix } from './names.js';
import { AppendConflictError, BlobNotFoundError, DestinationError, type AppendOptions, type BlobInfo, type BlobStore } from './types.js';

/** Temporary files of atomic writes carry this marker; {@link LocalBlobStore.list} skips them. */
const TEMPORARY_MARKER = '.hptune-tmp-';

/**
 * A {@link BlobStore} over a local directory (created on first write). Whole-object writes go
 * through a temporary file and a rename, so readers never see half an object.
 */
export class LocalBlobStore implements BlobStore {
  /** The absolute directory. */
  readonly url: string;
  private uploaded = 0;

  /** @param directory the root directory; relative paths resolve against the working directory. */
  constructor(directory: string) {
    this.url = resolve(directory);
  }

  /** Bytes written by puts and appends. */
  get bytesUploaded(): number {
    return this.uploaded;
  }

  async probe(): Promise<void> {
    try {
      await makeDirectoryAsync(this.url);
      const marker = join(this.url, `${TEMPORARY_MARKER}probe-${randomBytes(6).toString('hex')}`);
      await writeFile(marker, '');
      await rm(marker, { force: true });
    } catch (error) {
      throw this.destinationError(error) ?? error;
    }
  }

  async putFile(localPath: string, name: string): Promise<BlobInfo> {
    const target = this.pathOf(name);
    await this.makeParent(target);
    const temporary = `${target}${TEMPORARY_MARKER}${randomBytes(6).toString('hex')}`;
    try {
      await copyFile(localPath, temporary);
      const info = await this.infoOf(name, temporary);
      await rename(temporary, target);
      this.uploaded += info.size;
      return info;
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async putBytes(name: string, bytes: Uint8Array): Promise<BlobInfo> {
    const target = this.pathOf(name);
    await this.makeParent(target);
    const temporary = `${target}${TEMPORARY_MARKER}${randomBytes(6).toString('hex')}`;
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    this.uploaded += bytes.length;
    return { name, size: bytes.length, crc32c: crc32cBase64(bytes) };
  }

  async append(name: string, bytes: Uint8Array, options: AppendOptions = {}): Promise<BlobInfo> {
    const target = this.pathOf(name);
    const actualSize = await sizeOf(target);
    if (options.expectedSize !== undefined && options.expectedSize !== (actualSize ?? 0)) {
      throw new AppendConflictError(this.url, name, options.expectedSize, actualSize ?? 0);
    }
    await this.makeParent(target);
    await appendFile(target, bytes);
    this.uploaded += bytes.length;
    return this.infoOf(name, target);
  }

  async list(prefix = ''): Promise<BlobInfo[]> {
    checkBlobPrefix(prefix);
    const names: string[] = [];
    await this.walk(this.url, names);
    const selected = names.filter((name) => name.startsWith(prefix)).sort(compareNames);
    const infos: BlobInfo[] = [];
    for (const name of selected) {
      const info = await this.stat(name);
      if (info !== undefined) infos.push(info);
    }
    return infos;
  }

  async stat(name: string): Promise<BlobInfo | undefined> {
    const path = this.pathOf(name);
    if ((await sizeOf(path)) === undefined) return undefined;
    try {
      return await this.infoOf(name, path);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async get(name: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.pathOf(name)));
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(this.url, name, { cause: error });
      throw error;
    }
  }

  async delete(name: string): Promise<boolean> {
    const path = this.pathOf(name);
    if ((await sizeOf(path)) === undefined) return false;
    await rm(path, { force: true });
    return true;
  }

  private async makeParent(target: string): Promise<void> {
    try {
      await makeDirectoryAsync(dirname(target));
    } catch (error) {
      throw this.destinationError(error) ?? error;
    }
  }

  private destinationError(error: unknown): DestinationError | undefined {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new DestinationError(this.url, 'access-denied', `cannot write here (${String(code)})`, { cause: error });
    if (code === 'ENOTDIR' || code === 'EEXIST') return new DestinationError(this.url, 'not-found', `is not a directory (${String(code)})`, { cause: error });
    return undefined;
  }

  private pathOf(name: string): string {
    checkBlobName(name);
    return join(this.url, ...name.split('/'));
  }

  private async infoOf(name: string, path: string): Promise<BlobInfo> {
    const { size, crc32c } = await fileChecksum(path);
    return { name, size, crc32c };
  }

  private async walk(directory: string, names: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await this.walk(path, names);
      else if (entry.isFile() && !entry.name.includes(TEMPORARY_MARKER)) names.push(relative(this.url, path).split(sep).join('/'));
    }
  }
}

/** Size of a regular file, or `undefined` when there is none. */
async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
