/**
 * `@hptune/core/errors`: hptune's error classes, for a caller that only checks errors (the CLI's
 * start-up) without loading the library. They are `@hptune/trial`'s classes, so `instanceof` holds
 * whichever package threw.
 */
export { HptuneError, ValidationError, formatValue, type ValidationProblem } from '@hptune/trial';
