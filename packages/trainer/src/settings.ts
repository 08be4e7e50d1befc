/**
 * The one declaration of the LeNet-5 trainer's settings: each hyperparameter and run flag once,
 * with its kind, default, help and, for the seed study, its values. Everything else is derived
 * from {@link LENET5_SETTINGS}: the trainer's parser and help (`options.ts`), the trainer flags of
 * `hptune study run` and `hptune launch` and the `--quick` preset, the flags every trial gets
 * ({@link formatTrainerFlags}), the seed search space ({@link seedSearchSpace}) and the list of
 * hyperparameter ids ({@link HYPERPARAMETER_IDS}). Adding a hyperparameter is one entry here, plus the training code.
 *
 * A setting's name has one spelling pipeline: its id is snake_case (`batch_size`, as Vertex AI
 * passes a parameter: `--batch_size=64`); its flag is the id with hyphens (`--batch-size`, the
 * trainer takes both); its key in code is camelCase (`batchSize`). See {@link settingFlag} and
 * {@link settingKey}.
 *
 * This module loads no TensorFlow.js: the CLI reads it at start-up (`@hptune/trainer/settings`).
 */
import type { ParameterSpec, SearchSpace } from '@hptune/trial';

/** Hidden-layer activations of LeNet-5, a hyperparameter. */
export const ACTIVATIONS = ['relu', 'softmax', 'leakyrelu'] as const;
/** A hidden-layer activation: `relu`, `softmax` (over the channel/feature axis) or `leakyrelu` (alpha 0.01). */
export type Activation = (typeof ACTIVATIONS)[number];

/** Optimizers, a hyperparameter. */
export const OPTIMIZERS = ['sgd', 'adam', 'rmsprop'] as const;
/** An optimizer name. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The TensorFlow.js backends `--tfjs-backend` accepts; `auto` picks the fastest that loads. */
export const BACKEND_CHOICES = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
/** A `--tfjs-backend` value. */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/**
 * The learning rate each optimizer uses when `--learning-rate` is not given: PyTorch's and
 * Keras's defaults for adam and rmsprop, the classic 0.01 for plain SGD (PyTorch has none).
 */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = { sgd: 0.01, adam: 0.001, rmsprop: 0.001 };

/** Images in MNIST's training and test sets, the most `--train-size` and `--test-size` take. */
export const MNIST_COUNTS = { train: 60_000, test: 10_000 } as const;

/** What every setting declares. */
interface SettingBase {
  /** One line for `--help`, without the default. */
  readonly help: string;
  /** The placeholder of its value in `--help`, e.g. `N`. */
  readonly valueName: string;
  /**
   * A hyperparameter: a study may tune it (its value then travels as the trial's `--<id>=<value>`,
   * and the study's HParams sessions record it when its space searches it).
   */
  readonly hyperparameter?: boolean;
  /** A flag `hptune study run` and `hptune launch` take and pass to every trial of the study. */
  readonly studyFlag?: boolean;
  /** The default as `--help` shows it, when it is not the value of `default` (e.g. `all 60000`). */
  readonly defaultText?: string;
  /** The value `hptune study run --quick` gives it, unless given. */
  readonly quick?: number;
  /**
   * `true` when a checkpoint written with another value still applies: the run goes on from it
   * (more epochs, another TensorFlow.js backend, other output folders). Any other setting that
   * differs makes the run start from scratch.
   */
  readonly resumesAcross?: boolean;
  /** Old names the trainer and the CLI still take (without `--`), each with a one-line deprecation notice. */
  readonly aliases?: readonly string[];
}

/** A setting that takes one of a list of names. */
export interface CategoricalSetting<V extends string = string> extends SettingBase {
  readonly kind: 'categorical';
  readonly values: readonly V[];
  readonly default: V;
  /** The values the seed study searches, when it searches this setting. */
  readonly seedValues?: readonly V[];
}

/** A setting that takes a whole number in `[min, max]`. */
export interface IntegerSetting extends SettingBase {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  /** What `max` is, for the error when a value is past it, e.g. `the images in the test set`. */
  readonly maxText?: string;
  /** `undefined`: the setting is off unless given (e.g. all images). */
  readonly default: number | undefined;
  /** The values the seed study searches, when it searches this setting. */
  readonly seedValues?: readonly number[];
}

/** A setting that takes a number, above `min` or at it (`minInclusive`). */
export interface DoubleSetting extends SettingBase {
  readonly kind: 'double';
  readonly min: number;
  readonly minInclusive: boolean;
  /** `undefined` when the default depends on another setting (see `defaultText`). */
  readonly default: number | undefined;
  /** Largest value (inclusive), when there is one. */
  readonly max?: number;
}

/** A setting that takes free text. */
export interface TextSetting extends SettingBase {
  readonly kind: 'text';
  readonly default: string | undefined;
}

/** A setting that is on or off: `--<flag>` turns it on, `--no-<flag>` off; it takes no value (`valueName` is empty). */
export interface SwitchSetting extends SettingBase {
  readonly kind: 'switch';
  readonly default: boolean;
}

/** One setting of the trainer. */
export type Setting = CategoricalSetting | IntegerSetting | DoubleSetting | TextSetting | SwitchSetting;

/**
 * Every setting of the LeNet-5 trainer, by id, in the order `--help` lists them. The one place a
 * hyperparameter or flag is declared.
 */
export const LENET5_SETTINGS = {
  activation: {
    kind: 'categorical',
    values: ACTIVATIONS,
    default: 'relu',
    seedValues: ACTIVATIONS,
    help: `hidden-layer activation: ${ACTIVATIONS.join(', ')} (leakyrelu has alpha 0.01)`,
    valueName: 'NAME',
    hyperparameter: true,
  },
  optimizer: {
    kind: 'categorical',
    values: OPTIMIZERS,
    default: 'adam',
    seedValues: OPTIMIZERS,
    help: `optimizer: ${OPTIMIZERS.join(', ')}`,
    valueName: 'NAME',
    hyperparameter: true,
  },
  batch_size: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, default: 64, seedValues: [32, 64, 128], help: 'images per training step', valueName: 'N', hyperparameter: true },
  learning_rate: {
    kind: 'double',
    min: 0,
    minInclusive: false,
    default: undefined,
    defaultText: OPTIMIZERS.map((name) => `${name} ${DEFAULT_LEARNING_RATES[name]}`).join(', '),
    help: "the optimizer's learning rate",
    valueName: 'RATE',
    hyperparameter: true,
    studyFlag: true,
  },
  momentum: {
    kind: 'double',
    min: 0,
    minInclusive: true,
    default: 0,
    help: "SGD momentum, PyTorch's: v = momentum * v + gradient, then weights -= rate * v (sgd only; 0 for none)",
    valueName: 'MU',
    hyperparameter: true,
    studyFlag: true,
  },
  num_epochs: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, default: 1, quick: 1, help: 'passes over the training set (epochs per trial)', valueName: 'N', studyFlag: true, resumesAcross: true },
  train_size: {
    kind: 'integer',
    min: 1,
    max: MNIST_COUNTS.train,
    maxText: 'the images in the training set',
    default: undefined,
    defaultText: `all ${MNIST_COUNTS.train}`,
    quick: 2048,
    help: `training images, a seeded random sample (at most ${MNIST_COUNTS.train})`,
    valueName: 'N',
    studyFlag: true,
  },
  test_size: {
    kind: 'integer',
    min: 1,
    max: MNIST_COUNTS.test,
    maxText: 'the images in the test set',
    default: undefined,
    defaultText: `all ${MNIST_COUNTS.test}`,
    quick: 1000,
    help: `test images, the first of the test set (at most ${MNIST_COUNTS.test})`,
    valueName: 'N',
    studyFlag: true,
  },
  seed: { kind: 'integer', min: 0, max: 0xffffffff, maxText: '2^32 - 1', default: 42, help: 'random seed of the sample, the shuffling and the initial weights', valueName: 'N' },
  // "resume" as PyTorch users know it (torchvision's and timm's --resume, Lightning's ckpt_path,
  // argparse's --no-<flag> negation); on by default, since a restarted trial must go on.
  resume: {
    kind: 'switch',
    default: true,
    help: 'go on from the checkpoint an earlier run with the same settings left in the checkpoint folder; --no-resume trains from epoch 1 and replaces it',
    valueName: '',
    resumesAcross: true,
  },
  tfjs_backend: {
    kind: 'categorical',
    values: BACKEND_CHOICES,
    default: 'auto',
    help: `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')} (--backend, its old name, still works)`,
    valueName: 'NAME',
    studyFlag: true,
    resumesAcross: true,
    // "backend" alone is a study backend (local, vertex): the old spelling is taken with a notice.
    aliases: ['backend'],
  },
  gcs_bucket: {
    kind: 'text',
    default: undefined,
    defaultText: 'none',
    help: 'outputs to gs://BUCKET/hptune/<trial or run id>/{model,checkpoints,logs} unless AIP_* say otherwise',
    valueName: 'BUCKET',
    resumesAcross: true,
  },
  output_dir: {
    kind: 'text',
    default: 'hptune-output',
    help: 'outputs: DIR/model, DIR/checkpoints, DIR/logs, DIR/hypertune/output.metrics (DIR may be gs://BUCKET/FOLDER; the metric file stays local)',
    valueName: 'DIR',
    resumesAcross: true,
  },
  metric_tag: { kind: 'text', default: 'accuracy', help: 'tag test accuracy is reported under', valueName: 'TAG', resumesAcross: true },
} as const satisfies Readonly<Record<string, Setting>>;

/** The id of a setting: `batch_size`. */
export type SettingId = keyof typeof LENET5_SETTINGS;

/** `batch_size` -> `batchSize`, as a type. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The key of a setting in code: `batchSize`. */
export type SettingKey = CamelCase<SettingId>;

/** The value type a setting declares: its names for a categorical one, a number, a boolean for a switch, or text. */
export type SettingValue<S> = S extends CategoricalSetting<infer V> ? V : S extends IntegerSetting | DoubleSetting ? number : S extends SwitchSetting ? boolean : string;

/** Every setting as an optional property of its value type, by key (`{ batchSize?: number, ... }`). */
export type SettingValues = { -readonly [K in SettingId as CamelCase<K>]?: SettingValue<(typeof LENET5_SETTINGS)[K]> };

/** The settings `hptune study run` and `hptune launch` pass to every trial (`studyFlag`), as optional properties by key. */
export type StudyFlagValues = {
  -readonly [K in SettingId as (typeof LENET5_SETTINGS)[K] extends { readonly studyFlag: true } ? CamelCase<K> : never]?: SettingValue<(typeof LENET5_SETTINGS)[K]>;
};

/** Every setting's id, in declaration order. */
export const SETTING_IDS = Object.keys(LENET5_SETTINGS) as SettingId[];

/** The setting `id` declares. */
export function setting(id: SettingId): Setting {
  return LENET5_SETTINGS[id];
}

/** The key of a setting in code: `batch_size` -> `batchSize`. */
export function settingKey<I extends SettingId>(id: I): CamelCase<I> {
  return id.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()) as CamelCase<I>;
}

/** The id of the setting whose key is `key`: `batchSize` -> `batch_size`; `undefined` for none. */
export function settingIdOfKey(key: string): SettingId | undefined {
  return SETTING_IDS.find((id) => settingKey(id) === key);
}

/** The setting's flag: `batch_size` -> `--batch-size`. */
export function settingFlag(id: SettingId): string {
  return `--${id.replaceAll('_', '-')}`;
}

/**
 * The one-line notice for a setting's old name (one of its `aliases`), which the trainer and the
 * CLI still take: `--backend is deprecated: use --tfjs-backend (the same values)`.
 */
export function deprecatedFlagNotice(oldName: string, id: SettingId): string {
  return `--${oldName.replaceAll('_', '-')} is deprecated: use ${settingFlag(id)} (the same values)`;
}

/** The flag that turns a switch off: `resume` -> `--no-resume`. */
export function negatedSettingFlag(id: SettingId): string {
  return `--no-${id.replaceAll('_', '-')}`;
}

/** The ids of the hyperparameters, which a study may tune and TensorBoard's HParams dashboard records. */
export const HYPERPARAMETER_IDS = SETTING_IDS.filter((id) => (LENET5_SETTINGS[id] as Setting).hyperparameter === true);

/** The ids of the settings `hptune study run` and `hptune launch` take as flags and pass to every trial. */
export const STUDY_FLAG_IDS = SETTING_IDS.filter((id) => (LENET5_SETTINGS[id] as Setting).studyFlag === true);

/** The ids of the settings a checkpoint is only valid for: every setting but those that declare `resumesAcross`. */
export const CHECKPOINT_SETTING_IDS = SETTING_IDS.filter((id) => (LENET5_SETTINGS[id] as Setting).resumesAcross !== true);

/** The settings `hptune study run --quick` stands for: the seed study in a few minutes on a laptop. */
export const QUICK_PRESET: Readonly<SettingValues> = Object.freeze(
  Object.fromEntries(SETTING_IDS.flatMap((id) => {
    const quick = (LENET5_SETTINGS[id] as Setting).quick;
    return quick === undefined ? [] : [[settingKey(id), quick]];
  })) as SettingValues,
);

/** Every default, by key; a setting that is off unless given (`trainSize`) or derived (`learningRate`) has none. */
export const TRAINER_DEFAULTS = Object.freeze(
  Object.fromEntries(SETTING_IDS.flatMap((id) => {
    const value = LENET5_SETTINGS[id].default;
    return value === undefined ? [] : [[settingKey(id), value]];
  })),
) as {
  readonly [K in SettingId as (typeof LENET5_SETTINGS)[K]['default'] extends undefined ? never : CamelCase<K>]: (typeof LENET5_SETTINGS)[K]['default'];
};

/**
 * The flags for `values` as one argv entry each (`--num-epochs=2`; a switch as `--resume` or
 * `--no-resume`), in declaration order, skipping what is undefined. How the CLI passes fixed
 * trainer flags to every trial, locally and on Vertex AI.
 */
export function formatTrainerFlags(values: SettingValues): string[] {
  return SETTING_IDS.flatMap((id) => {
    const value = values[settingKey(id) as keyof SettingValues];
    if (value === undefined) return [];
    if (typeof value === 'boolean') return [value ? settingFlag(id) : negatedSettingFlag(id)];
    return [`${settingFlag(id)}=${String(value)}`];
  });
}

/**
 * The seed study's search space: the hyperparameters that declare `seedValues` (activation,
 * optimizer and batch size: 3 x 3 x 3 = 27 combinations), by the ids the trainer takes as flags
 * (`--activation`, `--optimizer`, `--batch_size`). Plain data, as core's `searchSpace()` builds it: a
 * categorical setting gives a categorical parameter, an integer one a discrete parameter.
 */
export const seedSearchSpace: SearchSpace = {
  parameters: Object.fromEntries(
    SETTING_IDS.flatMap((id): [string, ParameterSpec][] => {
      const declared = LENET5_SETTINGS[id] as Setting;
      if (declared.kind === 'categorical' && declared.seedValues) return [[id, { kind: 'categorical', values: [...declared.seedValues] }]];
      if (declared.kind === 'integer' && declared.seedValues) return [[id, { kind: 'discrete', values: [...declared.seedValues], scale: 'linear' }]];
      return [];
    }),
  ),
};

/** The seed search space under the model's name; the same object as {@link seedSearchSpace}. */
export const lenet5SearchSpace = seedSearchSpace;
