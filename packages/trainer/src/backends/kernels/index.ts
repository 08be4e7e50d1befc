export { registerTrainingKernels, trainingKernelNames, type TrainingBackendName } from './register.js';
