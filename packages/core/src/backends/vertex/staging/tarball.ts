import { gzipSync } from 'node:zlib';

/** One file of a tarball. */
export interface TarballEntry {
  /** The path inside the archive, `/`-separated, e.g. `package/dist/bin.js`. */
  readonly path: string;
  readonly data: Uint8Array;
  /** Unix permission bits. @default 0o644 */
  readonly mode?: number;
}

const BLOCK = 512;
/** The time every entry carries, so the same files make the same bytes (npm uses the same date). */
const FIXED_MTIME_SECONDS = Date.UTC(1985, 9, 26, 8, 15) / 1000;
const encoder = new TextEncoder();

function writeString(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = encoder.encode(value);
  if (bytes.length > length) throw new RangeError(`"${value}" does not fit in ${length} bytes of a tar header`);
  header.set(bytes, offset);
}

function writeOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

/** Splits a path into ustar's `prefix` (155 bytes) and `name` (100 bytes) at a `/`. */
function splitPath(path: string): { readonly prefix: string; readonly name: string } {
  if (encoder.encode(path).length <= 100) return { prefix: '', name: path };
  for (let cut = path.indexOf('/'); cut !== -1; cut = path.indexOf('/', cut + 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100) return { prefix, name };
  }
  throw new RangeError(`the path ${path} is too long for a ustar archive (100 bytes of name, 155 of folder)`);
}

function header(entry: TarballEntry): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const { prefix, name } = splitPath(entry.path);
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, entry.mode ?? 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, entry.data.length);
  writeOctal(block, 136, 12, FIXED_MTIME_SECONDS);
  block.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  block[156] = 0x30; // '0': a regular file
  writeString(block, 257, 6, 'ustar\0');
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  const checksum = block.reduce((sum, byte) => sum + byte, 0);
  writeString(block, 148, 8, checksum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

/**
 * A gzipped ustar archive of `entries`, in the order given: the `.tgz` format of `npm pack`.
 * Owners, groups and times are fixed, so the same entries always give the same bytes (and hash).
 * @throws RangeError for a path longer than ustar allows.
 * @see https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06 (the ustar format)
 */
export function createTarball(entries: readonly TarballEntry[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(header(entry), entry.data);
    const padding = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(new Uint8Array(padding));
  }
  parts.push(new Uint8Array(2 * BLOCK)); // two zero blocks end the archive
  return gzipSync(Buffer.concat(parts), { level: 9 });
}
