import * as tf from '@tensorflow/tfjs';

// Tests run tfjs kernels without `selectBackend` (which puts tfjs in production mode for every
// real run), so the cpu backend would print its "install tfjs-node" banner into the test output.
// Production mode only silences tfjs's console warnings; the kernels compute the same.
tf.enableProdMode();
