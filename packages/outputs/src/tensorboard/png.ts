import type * as Pngjs from 'pngjs';
import { ValidationError } from '@hptune/trial';
import { loadDependency } from '../load-dependency.js';

/** Raw pixels, row by row, channel-interleaved: 1 channel is grey, 3 RGB, 4 RGBA. */
export interface RawImage {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  readonly channels: 1 | 3 | 4;
  /** `width * height * channels` values: bytes 0-255, or floats in [0, 1] (clamped) for a `Float32Array`. */
  readonly pixels: Uint8Array | Uint8ClampedArray | Float32Array;
}

/** An image already encoded as PNG. */
export interface PngImage {
  readonly png: Uint8Array;
}

/** An image as the writer takes it: raw pixels to encode, or PNG bytes. */
export type ImageInput = RawImage | PngImage;

/** A PNG with its dimensions, as TensorBoard's image summary stores it. */
export interface EncodedImage {
  readonly width: number;
  readonly height: number;
  readonly png: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const;

/** Encodes raw pixels as PNG, or checks PNG bytes and reads their size from the IHDR chunk. */
export function toEncodedImage(image: ImageInput, field = 'image'): EncodedImage {
  if ('png' in image) return { ...pngSize(image.png, field), png: image.png };
  return { width: image.width, height: image.height, png: encodePng(image, field) };
}

/** Encodes raw pixels as an 8-bit PNG of the same channels (grey, RGB or RGBA). */
export function encodePng(image: RawImage, field = 'image'): Uint8Array {
  const { width, height, channels, pixels } = image;
  for (const [name, value] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 65_535) {
      throw new ValidationError({ field: `${field}.${name}`, value, problem: 'must be a whole number of pixels from 1 to 65535', fix: 'pass the image size in pixels' });
    }
  }
  if (!(channels in COLOR_TYPE)) {
    throw new ValidationError({ field: `${field}.channels`, value: channels, problem: 'must be 1 (grey), 3 (RGB) or 4 (RGBA)', fix: 'pass the number of interleaved channels per pixel' });
  }
  if (pixels.length !== width * height * channels) {
    throw new ValidationError({
      field: `${field}.pixels`,
      value: `${pixels.length} values`,
      problem: `does not hold width * height * channels = ${width * height * channels} values`,
      fix: 'pass one value per channel per pixel, row by row',
    });
  }
  // Loaded here, not at import: pngjs costs tens of milliseconds to load and few callers write images.
  const { PNG } = loadDependency<typeof Pngjs>('pngjs', 'PNG encoding (TensorBoard image summaries)');
  const png = new PNG({ width, height });
  const scale = pixels instanceof Float32Array ? 255 : 1;
  for (let pixel = 0; pixel < width * height; pixel++) {
    const source = pixel * channels;
    const target = pixel * 4;
    const at = (channel: number): number => clampByte((pixels[source + channel] as number) * scale);
    if (channels === 1) {
      const grey = at(0);
      png.data[target] = grey;
      png.data[target + 1] = grey;
      png.data[target + 2] = grey;
      png.data[target + 3] = 255;
    } else {
      png.data[target] = at(0);
      png.data[target + 1] = at(1);
      png.data[target + 2] = at(2);
      png.data[target + 3] = channels === 4 ? at(3) : 255;
    }
  }
  return PNG.sync.write(png, { colorType: COLOR_TYPE[channels] });
}

/** Reads a PNG's width and height from its IHDR chunk, checking the signature. */
export function pngSize(png: Uint8Array, field = 'image'): { width: number; height: number } {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  const isPng = bytes.length >= 24 && PNG_SIGNATURE.every((byte, index) => bytes[index] === byte) && bytes.toString('latin1', 12, 16) === 'IHDR';
  if (!isPng) {
    throw new ValidationError({ field: `${field}.png`, value: `${bytes.length} bytes`, problem: 'is not a PNG (no PNG signature and IHDR chunk)', fix: 'pass PNG bytes, or raw pixels as { width, height, channels, pixels }' });
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function clampByte(value: number): number {
  if (!(value > 0)) return 0;
  return value >= 255 ? 255 : Math.round(value);
}
