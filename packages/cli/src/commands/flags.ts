import { Option, type Command } from 'commander';
import { ValidationError } from '@hptune/core/errors';
import { LENET5_SETTINGS, QUICK_PRESET, STUDY_FLAG_IDS, deprecatedFlagNotice, negatedSettingFlag, settingFlag, settingIdOfKey, type Setting } from '@hptune/trainer/settings';

/** A commander argument parser for a whole number of at least `min`, failing with a ValidationError naming the flag. */
export function integerFlag(flag: string, min: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) {
      throw new ValidationError({
        field: flag,
        value: raw,
        problem: `must be a whole number of at least ${min}`,
        fix: `pass e.g. ${flag} ${Math.max(min, 1)}`,
      });
    }
    return value;
  };
}

/** A commander argument parser for a TCP port: 0 (any free port) to 65535. */
export function portFlag(flag: string): (raw: string) => number {
  const whole = integerFlag(flag, 0);
  return (raw) => {
    const port = whole(raw);
    if (port > 65535) throw new ValidationError({ field: flag, value: raw, problem: 'is not a port (0 to 65535)', fix: `pass e.g. ${flag} 8080` });
    return port;
  };
}

/** A commander argument parser for a positive number (seconds, rates). */
export function positiveNumberFlag(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
      throw new ValidationError({ field: flag, value: raw, problem: 'must be a positive number', fix: `pass e.g. ${flag} 0.001` });
    }
    return value;
  };
}

/** A commander argument parser that accepts one of `choices`. */
export function choiceFlag<const C extends string>(flag: string, choices: readonly C[]): (raw: string) => C {
  return (raw) => {
    if (!(choices as readonly string[]).includes(raw)) {
      throw new ValidationError({ field: flag, value: raw, problem: `is not one of ${choices.join(', ')}`, fix: `pass ${flag} ${nearestChoice(raw, choices)}` });
    }
    return raw as C;
  };
}

/**
 * The choice a mistyped value most likely meant: one it begins (or that begins it), else the
 * fewest single-letter edits away (case ignored), ties to the earlier choice.
 */
function nearestChoice(raw: string, choices: readonly string[]): string {
  const typed = raw.trim().toLowerCase();
  const prefixed = typed === '' ? undefined : choices.find((choice) => choice.startsWith(typed) || typed.startsWith(choice));
  if (prefixed !== undefined) return prefixed;
  let nearest = choices[0] as string;
  let fewest = Number.POSITIVE_INFINITY;
  for (const choice of choices) {
    const edits = editDistance(typed, choice.toLowerCase());
    if (edits < fewest) [nearest, fewest] = [choice, edits];
  }
  return nearest;
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/** The study's objective, the same for `study run` and `launch`: `--metric`, `--goal`, `--measurement-selection`, `--space`. */
export function addObjectiveOptions(command: Command): Command {
  return command
    .option('--metric <id>', 'metric the trainer reports and the study optimizes (required with your own program)', 'accuracy')
    .addOption(new Option('--goal <goal>', 'whether a larger or smaller metric is better').choices(['maximize', 'minimize']).default('maximize'))
    .addOption(
      new Option('--measurement-selection <which>', "a trial's value: its best measurement of the metric, or its last")
        .choices(['best', 'last'])
        .default('best')
        .argParser(choiceFlag('--measurement-selection', ['best', 'last'] as const)),
    )
    .option('--space <file>', 'search space JSON file, { "version": 1, "parameters": {...} } as searchSpaceToJSON writes it; default: the seed space (required with your own program)');
}

/**
 * The LeNet-5 trainer's flags that every trial of a study gets, the same for `study run` and
 * `launch`: each setting of `@hptune/trainer/settings` declared `studyFlag`, with its help, its
 * default and a parser for its kind. The trainer checks the values again (ranges) before any trial.
 */
export function addTrainerPassThroughOptions(command: Command, stderr: Pick<NodeJS.WritableStream, 'write'>): Command {
  for (const id of STUDY_FLAG_IDS) {
    const declared: Setting = LENET5_SETTINGS[id];
    const option = trainerOption(declared, settingFlag(id), negatedSettingFlag(id));
    command.addOption(option);
    // An old name (`--backend`) is taken, hidden from --help, as the new one with a notice.
    for (const oldName of declared.aliases ?? []) {
      const alias = trainerOption(declared, `--${oldName.replaceAll('_', '-')}`, `--no-${oldName.replaceAll('_', '-')}`).hideHelp();
      command.addOption(alias);
      // Runs after commander's own listener has parsed the value into the alias's attribute.
      command.on(`option:${alias.name()}`, () => {
        stderr.write(`hptune: warning: ${deprecatedFlagNotice(oldName, id)}\n`);
        command.setOptionValueWithSource(option.attributeName(), command.getOptionValue(alias.attributeName()), 'cli');
      });
    }
  }
  return command;
}

/** The commander option of a setting under `flag`; a switch is a bare flag, `negated` when it is on by default. */
function trainerOption(declared: Setting, flag: string, negated: string): Option {
  const defaultText = declared.defaultText ?? (declared.default === undefined ? undefined : String(declared.default));
  const option = new Option(`${flag} <${declared.valueName.toLowerCase()}>`, `trainer: ${declared.help}${defaultText === undefined ? '' : ` (default: ${defaultText})`}`);
  switch (declared.kind) {
    case 'categorical':
      return option.choices(declared.values).argParser(choiceFlag(flag, declared.values));
    case 'integer':
      return option.argParser(integerFlag(flag, declared.min));
    case 'double':
      return option.argParser(declared.min === 0 && !declared.minInclusive ? positiveNumberFlag(flag) : numberFlag(flag));
    case 'text':
      return option;
    case 'switch':
      // A bare flag: the one that changes the default (`--no-resume` for a switch that is on).
      return new Option(declared.default ? negated : flag, `trainer: ${declared.help}`);
  }
}

/** A commander argument parser for any finite number (the trainer checks its range). */
export function numberFlag(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new ValidationError({ field: flag, value: raw, problem: 'is not a number', fix: `pass e.g. ${flag} 0.5` });
    return value;
  };
}

/** `--quick`'s help: the flags and values it stands for, from the trainer's declaration. */
export const QUICK_HELP = `the quick preset: ${Object.entries(QUICK_PRESET)
  .map(([key, value]) => `${settingFlag(settingIdOfKey(key) ?? 'num_epochs')} ${String(value)}`)
  .join(' ')} unless given`;

/** The early-stopping rules by name: what `--early-stopping` takes (on `study run` and `launch`) and a study file's `earlyStopping` names. */
export const EARLY_STOPPING_CHOICES = ['none', 'median', 'asha', 'hyperband', 'decay-curve'] as const;

/** `--early-stopping`, as `study run` and `launch` take it. */
export function earlyStoppingOption(description: string): Option {
  return new Option('--early-stopping <rule>', description)
    .choices(EARLY_STOPPING_CHOICES)
    .default('none')
    .argParser(choiceFlag('--early-stopping', EARLY_STOPPING_CHOICES));
}

/** The options the user typed on the command line (not those holding a default or an environment value). */
export function typedOptions(command: Command): Set<string> {
  return new Set(Object.keys(command.opts()).filter((key) => command.getOptionValueSource(key) === 'cli'));
}
