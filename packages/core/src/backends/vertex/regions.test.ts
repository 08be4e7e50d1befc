import { describe, expect, it } from 'vitest';
import { ACCELERATOR_TYPES } from './machines.js';
import { checkAcceleratorRegion, regionsOffering, TRAINING_ACCELERATORS_BY_REGION, trainingAcceleratorsIn, VERTEX_LOCATIONS_URL } from './regions.js';

describe('TRAINING_ACCELERATORS_BY_REGION', () => {
  const entries = Object.entries(TRAINING_ACCELERATORS_BY_REGION);

  it('names only GPU types hptune knows, once per region, under region names', () => {
    for (const [region, types] of entries) {
      expect(region).toMatch(/^[a-z]+-[a-z]+\d+$/);
      for (const type of types) expect(ACCELERATOR_TYPES).toContain(type);
      expect(new Set(types).size).toBe(types.length);
    }
  });

  it('covers the common regions and offers every GPU type somewhere, so a warning can always suggest a region', () => {
    const common = ['us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west4', 'europe-west1', 'europe-west4', 'asia-east1', 'asia-northeast1', 'asia-southeast1'];
    for (const region of common) expect(trainingAcceleratorsIn(region)?.length, region).toBeGreaterThan(0);
    for (const type of ACCELERATOR_TYPES) expect(regionsOffering(type).length, type).toBeGreaterThan(0);
  });
});

describe('regionsOffering', () => {
  it('lists the regions offering a type by name, or nearest a region first', () => {
    const a100 = ['asia-northeast3', 'asia-southeast1', 'europe-west4', 'me-west1', 'us-central1', 'us-east1', 'us-west3', 'us-west4'];
    expect(regionsOffering('NVIDIA_TESLA_A100')).toEqual(a100);
    // Same prefix first, the longest common prefix leading; then alphabetical.
    expect(regionsOffering('NVIDIA_TESLA_A100', { near: 'us-east4' })).toEqual(['us-east1', 'us-central1', 'us-west3', 'us-west4', 'asia-northeast3', 'asia-southeast1', 'europe-west4', 'me-west1']);
    // No northamerica- region has it: the us- regions (same side of the world) come before the rest.
    expect(regionsOffering('NVIDIA_TESLA_A100', { near: 'northamerica-northeast1' }).slice(0, 4)).toEqual(['us-central1', 'us-east1', 'us-west3', 'us-west4']);
  });
});

describe('checkAcceleratorRegion', () => {
  it('says nothing when the region offers the type for training', () => {
    expect(checkAcceleratorRegion('us-central1', 'NVIDIA_TESLA_T4')).toBeUndefined();
    expect(checkAcceleratorRegion('europe-west4', 'NVIDIA_TESLA_V100')).toBeUndefined();
  });

  it('warns when a known region does not offer the type, naming a region that does and the fix', () => {
    const warning = checkAcceleratorRegion('europe-west1', 'NVIDIA_TESLA_V100');
    expect(warning?.field).toBe('region');
    expect(warning?.message).toContain('NVIDIA_TESLA_V100 in europe-west1');
    expect(warning?.message).toContain('europe-west1 offers NVIDIA_H100_80GB');
    expect(warning?.message).toContain('pass --region europe-west4 with a bucket in that region');
    expect(warning?.message).toContain(VERTEX_LOCATIONS_URL);
  });

  it('treats a GPU the source marks "not for training" as not offered, and suggests the nearest region with it', () => {
    // us-west4 lists L4 for serving only; us-west1 shares the longest prefix among the regions that train on it.
    const warning = checkAcceleratorRegion('us-west4', 'NVIDIA_L4');
    expect(warning?.message).toContain('NVIDIA_L4 is offered in us-west1, us-central1, us-east1, us-east4 (and ');
    expect(warning?.message).toContain('--region us-west1');
  });

  it('says when a known region offers no GPUs for training at all', () => {
    expect(checkAcceleratorRegion('europe-west6', 'NVIDIA_TESLA_T4')?.message).toContain('europe-west6 offers no GPUs for training');
  });

  it('warns that the check was skipped for a region the table does not know, still suggesting one', () => {
    const warning = checkAcceleratorRegion('us-central9', 'NVIDIA_TESLA_T4');
    expect(warning?.field).toBe('region');
    expect(warning?.message).toContain('does not know region us-central9');
    expect(warning?.message).toContain('unchecked');
    expect(warning?.message).toContain('--region us-central1');
    expect(trainingAcceleratorsIn('constructor')).toBeUndefined();
  });
});
