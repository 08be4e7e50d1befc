/**
 * Which GPUs Vertex AI custom training (and so hyperparameter tuning) offers in which region.
 * A maintained table, like `machines.ts`: availability changes faster than hptune's releases, so
 * what it finds is a warning, never an error.
 *
 * Source: the Vertex AI "Locations" page, section "Region considerations > Using accelerators"
 * (and its "Feature availability" table for the regions that run custom training), read on
 * 2026-11-29 from a stored copy of the page that says "Last updated 2026-04-10 UTC"; the same table
 * under the page's newer address (Gemini Enterprise Agent Platform, "Locations for machine learning
 * services") agrees on every training entry. How it was read:
 * - Accelerators the page marks "isn't available for training" (†) are left out: L4 in asia-east1,
 *   asia-northeast1, europe-west1, europe-west3, europe-west6 and us-west4; A100 40GB in
 *   asia-northeast1; A100 80GB and T4 in me-west1; T4 in southamerica-west1.
 * - Marks about serving (*, +) and Workbench notebooks (‡) do not concern training and are ignored.
 * - TPUs, GB200 and RTX PRO 6000 are left out: they are not in `ACCELERATOR_TYPES` (`machines.ts`).
 * - Regions that run custom training but have no row in the accelerator table (the page says the
 *   table lists all accelerators of each region) are listed with no GPUs: africa-south1,
 *   asia-northeast2, australia-southeast2, europe-southwest1, europe-west8, europe-west9,
 *   europe-west12, me-central1; so are europe-west6 and southamerica-west1, whose only GPUs are
 *   marked not for training.
 * A region offering a type does not mean every zone has it, nor that quota or capacity is there.
 * @see https://cloud.google.com/vertex-ai/docs/general/locations#accelerators
 * @see https://cloud.google.com/compute/docs/gpus/gpu-regions-zones
 */

import type { AcceleratorType } from './machines.js';
import type { PreflightWarning } from './warnings.js';

/** The region a job runs in when none is given, as in the Python launcher. */
export const DEFAULT_VERTEX_REGION = 'us-central1';

/** The page that says where Vertex AI offers which accelerators; every warning points to it. */
export const VERTEX_LOCATIONS_URL = 'https://cloud.google.com/vertex-ai/docs/general/locations';

/** The day {@link TRAINING_ACCELERATORS_BY_REGION} was last checked against its source (ISO date). */
export const TRAINING_ACCELERATORS_CHECKED_ON = '2026-11-29';

/**
 * The GPUs Vertex AI custom training offers in each region it runs in, by `AcceleratorType` name,
 * in the order the source lists them. Update it, and {@link TRAINING_ACCELERATORS_CHECKED_ON},
 * from the page named at the top of this module.
 * @see https://cloud.google.com/vertex-ai/docs/general/locations#accelerators
 */
export const TRAINING_ACCELERATORS_BY_REGION: Readonly<Record<string, readonly AcceleratorType[]>> = {
  'africa-south1': [],
  'asia-east1': ['NVIDIA_TESLA_P100', 'NVIDIA_TESLA_T4', 'NVIDIA_TESLA_V100', 'NVIDIA_H100_MEGA_80GB'],
  'asia-east2': ['NVIDIA_TESLA_T4'],
  'asia-northeast1': ['NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_B200', 'NVIDIA_TESLA_T4'],
  'asia-northeast2': [],
  'asia-northeast3': ['NVIDIA_TESLA_A100', 'NVIDIA_H100_80GB', 'NVIDIA_L4', 'NVIDIA_TESLA_T4'],
  'asia-south1': ['NVIDIA_H100_80GB', 'NVIDIA_L4', 'NVIDIA_TESLA_T4', 'NVIDIA_H200_141GB'],
  'asia-south2': ['NVIDIA_H200_141GB'],
  'asia-southeast1': ['NVIDIA_TESLA_A100', 'NVIDIA_A100_80GB', 'NVIDIA_B200', 'NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_L4', 'NVIDIA_TESLA_P4', 'NVIDIA_TESLA_T4'],
  'asia-southeast2': ['NVIDIA_TESLA_T4'],
  'australia-southeast1': ['NVIDIA_H100_MEGA_80GB', 'NVIDIA_TESLA_P4', 'NVIDIA_TESLA_T4'],
  'australia-southeast2': [],
  'europe-central2': ['NVIDIA_TESLA_T4'],
  'europe-north1': ['NVIDIA_H100_MEGA_80GB'],
  'europe-southwest1': [],
  'europe-west1': ['NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_H200_141GB', 'NVIDIA_TESLA_P100', 'NVIDIA_TESLA_T4'],
  'europe-west2': ['NVIDIA_H100_80GB', 'NVIDIA_L4', 'NVIDIA_TESLA_T4'],
  'europe-west3': ['NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_TESLA_T4'],
  'europe-west4': [
    'NVIDIA_TESLA_A100',
    'NVIDIA_A100_80GB',
    'NVIDIA_H100_80GB',
    'NVIDIA_H100_MEGA_80GB',
    'NVIDIA_H200_141GB',
    'NVIDIA_B200',
    'NVIDIA_L4',
    'NVIDIA_TESLA_P4',
    'NVIDIA_TESLA_T4',
    'NVIDIA_TESLA_V100',
    'NVIDIA_TESLA_P100',
  ],
  'europe-west6': [],
  'europe-west8': [],
  'europe-west9': [],
  'europe-west12': [],
  'me-central1': [],
  'me-central2': ['NVIDIA_L4'],
  'me-west1': ['NVIDIA_TESLA_A100'],
  'northamerica-northeast1': ['NVIDIA_TESLA_P4', 'NVIDIA_TESLA_T4'],
  'northamerica-northeast2': ['NVIDIA_H100_80GB', 'NVIDIA_L4'],
  'southamerica-east1': ['NVIDIA_TESLA_T4'],
  'southamerica-west1': [],
  'us-central1': [
    'NVIDIA_TESLA_A100',
    'NVIDIA_A100_80GB',
    'NVIDIA_B200',
    'NVIDIA_H100_80GB',
    'NVIDIA_H100_MEGA_80GB',
    'NVIDIA_H200_141GB',
    'NVIDIA_L4',
    'NVIDIA_TESLA_P4',
    'NVIDIA_TESLA_P100',
    'NVIDIA_TESLA_T4',
    'NVIDIA_TESLA_V100',
  ],
  'us-east1': ['NVIDIA_TESLA_A100', 'NVIDIA_B200', 'NVIDIA_L4', 'NVIDIA_TESLA_P100', 'NVIDIA_TESLA_T4', 'NVIDIA_TESLA_V100'],
  'us-east4': ['NVIDIA_A100_80GB', 'NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_H200_141GB', 'NVIDIA_B200', 'NVIDIA_L4', 'NVIDIA_TESLA_P4', 'NVIDIA_TESLA_T4'],
  'us-east5': ['NVIDIA_A100_80GB', 'NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_H200_141GB'],
  'us-south1': ['NVIDIA_B200', 'NVIDIA_H200_141GB'],
  'us-west1': ['NVIDIA_H100_MEGA_80GB', 'NVIDIA_H200_141GB', 'NVIDIA_L4', 'NVIDIA_TESLA_P100', 'NVIDIA_TESLA_T4', 'NVIDIA_H100_80GB', 'NVIDIA_TESLA_V100'],
  'us-west2': ['NVIDIA_TESLA_P4', 'NVIDIA_TESLA_T4', 'NVIDIA_B200'],
  'us-west3': ['NVIDIA_TESLA_A100', 'NVIDIA_B200'],
  'us-west4': ['NVIDIA_TESLA_A100', 'NVIDIA_H100_80GB', 'NVIDIA_H100_MEGA_80GB', 'NVIDIA_TESLA_T4'],
};

/** Region prefixes that lie on the same side of the world, for ordering suggestions after the same prefix. */
const AREAS: readonly (readonly string[])[] = [
  ['us', 'northamerica', 'southamerica'],
  ['europe', 'me', 'africa'],
  ['asia', 'australia'],
];

/** How many regions a warning names before "and N more". */
const SUGGESTIONS_SHOWN = 4;

/** The GPUs custom training offers in `region`, or `undefined` when the table does not know the region. */
export function trainingAcceleratorsIn(region: string): readonly AcceleratorType[] | undefined {
  return Object.hasOwn(TRAINING_ACCELERATORS_BY_REGION, region) ? TRAINING_ACCELERATORS_BY_REGION[region] : undefined;
}

/** Options of {@link regionsOffering}. */
export interface RegionsOfferingOptions {
  /** Put the regions nearest this one first: same prefix (`us-`, `europe-`, `asia-`), then the same side of the world. */
  readonly near?: string;
}

/**
 * The regions whose custom training offers `acceleratorType`, by name, or nearest `options.near`
 * first (the longest common prefix with it: `us-east4` puts `us-east1` and `us-east5` before `us-west1`).
 */
export function regionsOffering(acceleratorType: AcceleratorType, options: RegionsOfferingOptions = {}): readonly string[] {
  const regions = Object.keys(TRAINING_ACCELERATORS_BY_REGION)
    .filter((region) => TRAINING_ACCELERATORS_BY_REGION[region]?.includes(acceleratorType))
    .sort();
  const near = options.near;
  if (near === undefined) return regions;
  // Array.prototype.sort is stable, so ties keep the alphabetical order.
  return regions.sort((a, b) => nearness(near, b) - nearness(near, a));
}

/** Higher for regions nearer `from`: the same prefix (by characters in common), then the same area, then the rest. */
function nearness(from: string, to: string): number {
  const fromPrefix = prefixOf(from);
  const toPrefix = prefixOf(to);
  if (fromPrefix === toPrefix) return 1000 + commonPrefixLength(from, to);
  const area = AREAS.findIndex((prefixes) => prefixes.includes(fromPrefix));
  return area !== -1 && AREAS[area]?.includes(toPrefix) ? 500 : 0;
}

function prefixOf(region: string): string {
  return region.split('-', 1)[0] ?? region;
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length] === b[length]) length += 1;
  return length;
}

/** `a, b, c, d (and 3 more)`. */
function listSome(regions: readonly string[]): string {
  const shown = regions.slice(0, SUGGESTIONS_SHOWN).join(', ');
  return regions.length > SUGGESTIONS_SHOWN ? `${shown} (and ${regions.length - SUGGESTIONS_SHOWN} more)` : shown;
}

/** Where else to go, for the end of a warning. */
function elsewhere(acceleratorType: AcceleratorType, region: string): string {
  const offering = regionsOffering(acceleratorType, { near: region });
  const [nearest] = offering;
  if (nearest === undefined) return `no region in hptune's table offers ${acceleratorType} for training; check ${VERTEX_LOCATIONS_URL}`;
  return `${acceleratorType} is offered in ${listSome(offering)}: pass --region ${nearest} with a bucket in that region, or check ${VERTEX_LOCATIONS_URL}`;
}

/**
 * Whether Vertex AI custom training offers `acceleratorType` in `region`, by the maintained table
 * {@link TRAINING_ACCELERATORS_BY_REGION}. A warning, not an error, because availability changes
 * faster than the table: `undefined` when the table lists the type there; a warning naming the
 * region, the type, the nearest regions that offer it and the fix when it does not; and a warning
 * that the check was skipped when the table does not know the region (a new region, or a typo).
 * @see https://cloud.google.com/vertex-ai/docs/general/locations#accelerators
 */
export function checkAcceleratorRegion(region: string, acceleratorType: AcceleratorType): PreflightWarning | undefined {
  const offered = trainingAcceleratorsIn(region);
  if (offered === undefined) {
    return {
      field: 'region',
      message: `hptune's table of GPU regions (checked ${TRAINING_ACCELERATORS_CHECKED_ON}) does not know region ${region}, so whether it offers ${acceleratorType} for custom training is unchecked; ${elsewhere(acceleratorType, region)}`,
    };
  }
  if (offered.includes(acceleratorType)) return undefined;
  const instead = offered.length > 0 ? `${region} offers ${offered.join(', ')}` : `${region} offers no GPUs for training`;
  return {
    field: 'region',
    message: `Vertex AI custom training does not list ${acceleratorType} in ${region} (hptune's table, checked ${TRAINING_ACCELERATORS_CHECKED_ON}; ${instead}); ${elsewhere(acceleratorType, region)}`,
  };
}
