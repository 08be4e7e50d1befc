import { asha } from './asha.js';
import { describeStoppingRuleConformance } from './conformance.js';
import { decayCurve } from './decay-curve.js';
import { hyperband } from './hyperband.js';
import { median } from './median.js';

describeStoppingRuleConformance('median()', { create: () => median() });
describeStoppingRuleConformance('median({ startupTrials: 2, warmupSteps: 2 })', { create: () => median({ startupTrials: 2, warmupSteps: 2 }) });
describeStoppingRuleConformance('asha({ maxStep })', { create: ({ maxStep }) => asha({ maxStep }) });
describeStoppingRuleConformance('asha({ minStep: 2, maxStep, reductionFactor: 2 })', { create: ({ maxStep }) => asha({ minStep: 2, maxStep, reductionFactor: 2 }) });
describeStoppingRuleConformance('decayCurve()', { create: () => decayCurve() });
describeStoppingRuleConformance('hyperband({ maxStep })', { create: ({ maxStep }) => hyperband({ maxStep }) });
