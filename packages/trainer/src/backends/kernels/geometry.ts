import type * as tf from '@tensorflow/tfjs';
import { tfjs } from '../../tfjs.js';
import { ValidationError } from '@hptune/trial';

/** Padding as tfjs kernels receive it: a mode, one number for every side, or explicit NHWC pairs. */
export type KernelPadding = tf.Conv2DBackpropFilterAttrs['pad'];

/**
 * The shape arithmetic of one NHWC 2-D convolution, resolved once per kernel call.
 * Every count is in elements; pads are the rows/columns of zeros above and left of the input.
 */
export interface ConvGeometry {
  /** Images in the batch (N). */
  readonly batch: number;
  /** Input rows (H). */
  readonly inHeight: number;
  /** Input columns (W). */
  readonly inWidth: number;
  /** Input channels (C). */
  readonly inChannels: number;
  /** Output rows. */
  readonly outHeight: number;
  /** Output columns. */
  readonly outWidth: number;
  /** Output channels (filters). */
  readonly outChannels: number;
  /** Filter rows. */
  readonly filterHeight: number;
  /** Filter columns. */
  readonly filterWidth: number;
  /** Step between output rows, in input rows. */
  readonly strideHeight: number;
  /** Step between output columns, in input columns. */
  readonly strideWidth: number;
  /** Zero rows added above the input (rows below follow from the sizes). */
  readonly padTop: number;
  /** Zero columns added left of the input (columns right follow from the sizes). */
  readonly padLeft: number;
}

/** What {@link convGeometry} needs: the attributes every Conv2D gradient kernel receives. */
export interface ConvGeometryInput {
  /** The kernel asking, named in errors, e.g. `Conv2DBackpropFilter`. */
  readonly kernelName: string;
  /** Shape of the convolution's input, NHWC. */
  readonly inputShape: readonly number[];
  /** Shape of the filter, [filterHeight, filterWidth, inChannels, outChannels]. */
  readonly filterShape: readonly number[];
  /** Strides, one number for both axes or [rows, columns]. */
  readonly strides: number | readonly [number, number];
  /** Padding: 'same', 'valid', a number for all sides, or explicit NHWC pairs. */
  readonly pad: KernelPadding;
  /** How fractional output sizes round when `pad` is a number. */
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil' | undefined;
  /** Layout; only 'NHWC' is implemented. @default 'NHWC' */
  readonly dataFormat?: 'NHWC' | 'NCHW' | undefined;
  /** Dilations; only 1 is implemented. @default 1 */
  readonly dilations?: number | readonly [number, number] | undefined;
}

/**
 * Resolves a convolution's geometry with tfjs's own rules (so sizes match the forward op, including
 * tfjs's quirk of sizing both output axes from the filter height when `pad` is a number),
 * rejecting what these kernels do not implement
 * (NCHW layout, dilations other than 1) with a {@link ValidationError} that names the attribute.
 */
export function convGeometry(input: ConvGeometryInput): ConvGeometry {
  const { kernelName } = input;
  if (input.dataFormat !== undefined && input.dataFormat !== 'NHWC') {
    throw new ValidationError({
      field: `${kernelName}.dataFormat`,
      value: input.dataFormat,
      problem: 'is not implemented by the hptune training kernels',
      fix: "use channels-last tensors (dataFormat 'NHWC'), the tfjs default",
    });
  }
  const dilations = input.dilations ?? 1;
  const dilationPair = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dilationPair[0] !== 1 || dilationPair[1] !== 1) {
    throw new ValidationError({
      field: `${kernelName}.dilations`,
      value: dilations,
      problem: 'must be 1: dilated convolutions have no gradient kernel here',
      fix: 'use dilationRate 1 in the convolution layer',
    });
  }
  if (input.inputShape.length !== 4 || input.filterShape.length !== 4) {
    throw new ValidationError({
      field: `${kernelName}.shape`,
      value: { input: input.inputShape, filter: input.filterShape },
      problem: 'must be rank 4 for both input (NHWC) and filter (HWIO)',
      fix: 'reshape the tensors to rank 4 before the convolution',
    });
  }
  const info = tfjs.backend_util.computeConv2DInfo(
    input.inputShape as [number, number, number, number],
    input.filterShape as [number, number, number, number],
    input.strides as number | [number, number],
    1,
    input.pad,
    input.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Throws unless `dyShape` is the convolution's output shape [N, outHeight, outWidth, outChannels]. */
export function checkOutputShape(g: ConvGeometry, dyShape: readonly number[], kernelName: string): void {
  const expected = [g.batch, g.outHeight, g.outWidth, g.outChannels];
  if (dyShape.length !== 4 || expected.some((dim, i) => dyShape[i] !== dim)) {
    throw new ValidationError({
      field: `${kernelName}.dy`,
      value: dyShape,
      problem: `does not match the convolution's output shape [${expected.join(', ')}]`,
      fix: 'pass the gradient of this convolution\'s output',
    });
  }
}

/** Output positions (N·outHeight·outWidth): the rows of the im2col matrix. */
export function outputPositions(g: ConvGeometry): number {
  return g.batch * g.outHeight * g.outWidth;
}

/** Filter taps times input channels (filterHeight·filterWidth·inChannels): the columns of the im2col matrix. */
export function patchSize(g: ConvGeometry): number {
  return g.filterHeight * g.filterWidth * g.inChannels;
}

/**
 * The output columns whose input column `ow * stride + tap - padLeft` lies inside the image:
 * `[first, end)`. Shared by every loop that walks a filter tap across a row.
 */
export function validOutputRange(
  tap: number,
  stride: number,
  pad: number,
  inSize: number,
  outSize: number,
): readonly [number, number] {
  const first = Math.max(0, Math.ceil((pad - tap) / stride));
  const end = Math.min(outSize, Math.floor((inSize - 1 + pad - tap) / stride) + 1);
  return [first, Math.max(first, end)];
}
