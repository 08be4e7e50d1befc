/**
 * `@hptune/core/blob`: where files go (a local folder or a `gs://` bucket), verified uploads and the
 * retry configuration of remote calls. The same names as `@hptune/outputs/blob`, which a trainer
 * imports without the rest of core.
 */
export * from '@hptune/outputs/blob';
