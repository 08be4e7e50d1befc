/**
 * Which accelerators Vertex AI custom training attaches to which machine types, and how many.
 * A maintained table: update it when Google adds a machine series.
 * @see https://cloud.google.com/vertex-ai/docs/training/configure-compute#gpu-compatibility-table
 * @see https://cloud.google.com/compute/docs/gpus
 */

/**
 * The GPUs hptune knows, by their `AcceleratorType` enum names in the Vertex AI API.
 * @see https://cloud.google.com/vertex-ai/docs/reference/rest/v1/MachineSpec#AcceleratorType
 */
export const ACCELERATOR_TYPES = [
  'NVIDIA_TESLA_T4',
  'NVIDIA_TESLA_P4',
  'NVIDIA_TESLA_P100',
  'NVIDIA_TESLA_V100',
  'NVIDIA_TESLA_A100',
  'NVIDIA_A100_80GB',
  'NVIDIA_L4',
  'NVIDIA_H100_80GB',
  'NVIDIA_H100_MEGA_80GB',
  'NVIDIA_H200_141GB',
  'NVIDIA_B200',
] as const;

/** A GPU type as Vertex AI's `MachineSpec.acceleratorType` names it. */
export type AcceleratorType = (typeof ACCELERATOR_TYPES)[number];

/** What a machine type accepts: attached GPUs (N1) or the GPUs built into the machine (A2, A3, G2, A4). */
export type MachineAccelerators =
  | { readonly kind: 'none' }
  | { readonly kind: 'attachable'; readonly counts: Readonly<Partial<Record<AcceleratorType, readonly number[]>>> }
  | { readonly kind: 'built-in'; readonly type: AcceleratorType; readonly count: number };

/**
 * The most vCPUs an N1 machine may have for each number of attached GPUs of a type; a machine with
 * more vCPUs than allowed for a count must take more GPUs (Compute Engine's N1 GPU limits).
 */
const N1_MAX_VCPUS: Readonly<Partial<Record<AcceleratorType, Readonly<Record<number, number>>>>> = {
  NVIDIA_TESLA_T4: { 1: 48, 2: 48, 4: 96 },
  NVIDIA_TESLA_P4: { 1: 24, 2: 48, 4: 96 },
  NVIDIA_TESLA_P100: { 1: 16, 2: 32, 4: 64 },
  NVIDIA_TESLA_V100: { 1: 12, 2: 24, 4: 48, 8: 96 },
};

/** The N1 sizes Vertex AI training offers, by shape. */
const N1_SIZES: Readonly<Record<string, readonly number[]>> = {
  standard: [4, 8, 16, 32, 64, 96],
  highmem: [2, 4, 8, 16, 32, 64, 96],
  highcpu: [16, 32, 64, 96],
};

/** Accelerator-optimized machine types: the GPU type and count each one has built in. */
const BUILT_IN: Readonly<Record<string, { readonly type: AcceleratorType; readonly count: number }>> = {
  'a2-highgpu-1g': { type: 'NVIDIA_TESLA_A100', count: 1 },
  'a2-highgpu-2g': { type: 'NVIDIA_TESLA_A100', count: 2 },
  'a2-highgpu-4g': { type: 'NVIDIA_TESLA_A100', count: 4 },
  'a2-highgpu-8g': { type: 'NVIDIA_TESLA_A100', count: 8 },
  'a2-megagpu-16g': { type: 'NVIDIA_TESLA_A100', count: 16 },
  'a2-ultragpu-1g': { type: 'NVIDIA_A100_80GB', count: 1 },
  'a2-ultragpu-2g': { type: 'NVIDIA_A100_80GB', count: 2 },
  'a2-ultragpu-4g': { type: 'NVIDIA_A100_80GB', count: 4 },
  'a2-ultragpu-8g': { type: 'NVIDIA_A100_80GB', count: 8 },
  'g2-standard-4': { type: 'NVIDIA_L4', count: 1 },
  'g2-standard-8': { type: 'NVIDIA_L4', count: 1 },
  'g2-standard-12': { type: 'NVIDIA_L4', count: 1 },
  'g2-standard-16': { type: 'NVIDIA_L4', count: 1 },
  'g2-standard-24': { type: 'NVIDIA_L4', count: 2 },
  'g2-standard-32': { type: 'NVIDIA_L4', count: 1 },
  'g2-standard-48': { type: 'NVIDIA_L4', count: 4 },
  'g2-standard-96': { type: 'NVIDIA_L4', count: 8 },
  'a3-highgpu-1g': { type: 'NVIDIA_H100_80GB', count: 1 },
  'a3-highgpu-2g': { type: 'NVIDIA_H100_80GB', count: 2 },
  'a3-highgpu-4g': { type: 'NVIDIA_H100_80GB', count: 4 },
  'a3-highgpu-8g': { type: 'NVIDIA_H100_80GB', count: 8 },
  'a3-megagpu-8g': { type: 'NVIDIA_H100_MEGA_80GB', count: 8 },
  'a3-ultragpu-8g': { type: 'NVIDIA_H200_141GB', count: 8 },
  'a4-highgpu-8g': { type: 'NVIDIA_B200', count: 8 },
};

/** Machine series without GPUs that Vertex AI training offers (any size of them). */
const CPU_ONLY_SERIES = new Set(['e2', 'n2', 'n2d', 'c2', 'c2d', 'c3', 'm1']);

/** The machine series whose accelerators hptune knows, for messages. */
export const KNOWN_GPU_MACHINE_SERIES = 'n1 (T4, P4, P100, V100), a2-highgpu (A100 40GB), a2-ultragpu (A100 80GB), g2 (L4), a3 (H100, H200), a4 (B200)';

/** A machine type's name split into series, shape and vCPU count, e.g. `n1-standard-8`. */
const MACHINE_TYPE = /^([a-z][a-z0-9]*)-([a-z]+)-(\d+)(g?)$/;

/** Whether a string looks like a Compute Engine machine type name (`n1-standard-8`, `a2-highgpu-1g`). */
export function isMachineTypeName(machineType: string): boolean {
  return MACHINE_TYPE.test(machineType);
}

/**
 * What accelerators a machine type accepts, or `undefined` when it is not in the table
 * (hptune then makes no claim about it).
 */
export function machineAccelerators(machineType: string): MachineAccelerators | undefined {
  const builtIn = BUILT_IN[machineType];
  if (builtIn) return { kind: 'built-in', ...builtIn };
  const match = MACHINE_TYPE.exec(machineType);
  if (!match) return undefined;
  const [, series, shape, size] = match as unknown as [string, string, string, string];
  if (series === 'n1') {
    const vcpus = Number(size);
    if (!N1_SIZES[shape]?.includes(vcpus)) return undefined;
    const counts: Partial<Record<AcceleratorType, number[]>> = {};
    for (const [type, limits] of Object.entries(N1_MAX_VCPUS) as [AcceleratorType, Record<number, number>][]) {
      counts[type] = Object.entries(limits)
        .filter(([, maxVcpus]) => vcpus <= maxVcpus)
        .map(([count]) => Number(count));
    }
    return { kind: 'attachable', counts };
  }
  if (CPU_ONLY_SERIES.has(series)) return { kind: 'none' };
  return undefined;
}

/** Machine types that carry `type` built in, for suggesting a machine in a message. */
export function machinesWithBuiltIn(type: AcceleratorType): string[] {
  return Object.entries(BUILT_IN)
    .filter(([, builtIn]) => builtIn.type === type)
    .map(([machineType, builtIn]) => `${machineType} (${builtIn.count})`);
}
