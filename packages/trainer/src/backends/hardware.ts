import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';

/** Whether training can use a GPU, and why not when it cannot. */
export interface GpuStatus {
  /** True when TensorFlow runs the training on a GPU. */
  readonly used: boolean;
  /** One line: the device in use, or why none is (package missing, CUDA libraries missing, no device). */
  readonly reason: string;
  /** NVIDIA devices the kernel driver lists, whether or not TensorFlow can use them. */
  readonly devices: readonly string[];
}

/** The machine the trainer runs on, as logged at start. */
export interface HardwareInfo {
  /** CPU cores Node may use (`os.availableParallelism()`). */
  readonly cpuCores: number;
  /** The CPU model, e.g. `Intel(R) Xeon(R) CPU @ 2.20GHz`. */
  readonly cpuModel: string;
}

/** Reads the CPU cores and model. */
export function detectCpu(): HardwareInfo {
  return { cpuCores: availableParallelism(), cpuModel: cpus()[0]?.model.trim() || 'unknown CPU' };
}

/**
 * The NVIDIA GPUs the kernel driver lists under `/proc/driver/nvidia/gpus` (Linux), by model
 * name; empty where there is no driver. Tells "no device" apart from "no CUDA libraries".
 */
export function detectNvidiaDevices(driverDir = '/proc/driver/nvidia/gpus'): string[] {
  let entries: string[];
  try {
    entries = readdirSync(driverDir);
  } catch {
    return [];
  }
  return entries.map((entry) => {
    try {
      const information = readFileSync(join(driverDir, entry, 'information'), 'utf8');
      return /^Model:\s*(.+)$/m.exec(information)?.[1]?.trim() ?? `NVIDIA GPU ${entry}`;
    } catch {
      return `NVIDIA GPU ${entry}`;
    }
  });
}

/** "(no NVIDIA device found)" or "(the driver lists NVIDIA H200)", to append to a GPU reason. */
export function describeDevices(devices: readonly string[]): string {
  return devices.length === 0 ? 'no NVIDIA device found' : `the driver lists ${devices.join(', ')}`;
}
