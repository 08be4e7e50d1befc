/**
 * `@hptune/core/tensorboard`: TensorBoard event files written, read, inspected and synced. The same
 * names as `@hptune/outputs/tensorboard`, which a trainer imports without the rest of core.
 */
export * from '@hptune/outputs/tensorboard';
