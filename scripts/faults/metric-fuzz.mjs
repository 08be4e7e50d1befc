// Metric-file fuzzing: generated malformed and partial metric files through the real reader
// (readMetricFile), then a sample of them through real trials. Each file is built with the outcome
// the trial contract documents for it: every line a report (the reports come back, in order), or
// a malformed line somewhere (MALFORMED_METRIC_FILE; a trial that exits 0 with it ends INFEASIBLE,
// `malformed-metric-file`); a well-formed file without the study's metric: INFEASIBLE, `no-metric`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaseResult, problemList } from './lib/cases.mjs';
import { FAULTY_TRAINER, importCore, importTrial, scratchDir } from './lib/env.mjs';

const TAGS = ['accuracy', 'loss', 'f1_score'];

/** A report line the reader must accept, and the report it must give. */
function validLine(random) {
  const tag = random.pick(TAGS);
  const value = random.pick([0, 1, -1, 0.5, 1e-12, 123456.789, 1e300, -1e-300]) * (random() < 0.5 ? 1 : random());
  const step = random.pick([0, 1, 2, 7, 99, 2 ** 31, Number.MAX_SAFE_INTEGER]);
  const timestamp = 1.7e9 + random() * 1e6;
  const fields = {
    [tag]: random() < 0.7 ? String(value) : value,
    global_step: random() < 0.7 ? String(step) : step,
    timestamp,
    trial: random.pick(['1', '42', '']),
  };
  if (random() < 0.2) fields.checkpoint_path = '/tmp/ckpt';
  if (random() < 0.1) delete fields.global_step;
  const keys = Object.keys(fields).sort(() => random() - 0.5);
  const text = `{${keys.map((key) => `${JSON.stringify(key)}${random() < 0.5 ? ': ' : ':'}${JSON.stringify(fields[key])}`).join(', ')}}`;
  return { text, report: { tag, value: Number(value), globalStep: fields.global_step === undefined ? 0 : step, timestamp } };
}

/** Ways a line can be malformed: each returns the line's text. */
const MALFORMED = {
  truncated: (random) => {
    const { text } = validLine(random);
    return text.slice(0, random.int(1, text.length - 1));
  },
  'not JSON': (random) => random.pick(['not json', '{accuracy: 1}', "{'accuracy': '1'}", '\u0000\u0001\u0002', '{"a": 1,}', 'NaN']),
  'not an object': (random) => random.pick(['[1, 2]', '42', '"accuracy"', 'null', 'true', '[]']),
  'wrong value type': (random) => line({ accuracy: random.pick([true, false, null, [], [1], {}, '', ' ', 'abc', '0x10', '1,5']) }),
  'NaN or Infinity': (random) => random.pick([line({ accuracy: random.pick(['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '1e400']) }), '{"accuracy": 1e400, "global_step": "1", "timestamp": 1}']),
  'bad step': (random) => line({ accuracy: '0.5', global_step: random.pick(['-1', '1.5', 'x', null, true, '1e300', 1e300, '9007199254740993', '', []]) }),
  'bad timestamp': (random) => {
    const fields = { accuracy: '0.5', global_step: '1' };
    const choice = random.int(0, 4);
    if (choice > 0) fields.timestamp = [null, 'soon', true, []][choice - 1];
    return JSON.stringify(fields);
  },
  'unknown or missing tag': (random) => line(random() < 0.5 ? { accuracy: '0.5', extra: '1' } : {}),
};

function line(fields) {
  return JSON.stringify({ global_step: '1', timestamp: 1.7e9, ...fields });
}

/** A generated file: its text and what the contract says reading it gives. */
function generateFile(random) {
  const count = random() < 0.15 ? random.int(95, 150) : random.int(0, 8);
  const lines = [];
  const reports = [];
  for (let index = 0; index < count; index++) {
    const { text, report } = validLine(random);
    lines.push(text);
    reports.push(report);
    if (random() < 0.3) {
      // A duplicate step: the same line again, or another tag at this step.
      lines.push(text);
      reports.push(report);
    }
  }
  let malformedKind;
  if (random() < 0.6) {
    malformedKind = random.pick(Object.keys(MALFORMED));
    lines.splice(random.int(0, lines.length), 0, MALFORMED[malformedKind](random));
  }
  const separator = random() < 0.1 ? '\r\n' : '\n';
  let text = lines.join(separator);
  if (random() < 0.7) text += separator;
  if (random() < 0.1) text = `\n\n${text}\n  \n`;
  return { text, reports, malformedKind };
}

const within = (a, b) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

export async function run({ random, full }) {
  // The study author's entry and the trial side's (`readMetricFile`).
  const core = { ...(await importCore()), ...(await importTrial()) };
  const dir = scratchDir('fuzz');
  const reader = new CaseResult('metric file fuzz: the reader', 'each generated file gives exactly its reports, or MALFORMED_METRIC_FILE naming file and line; nothing else is thrown');
  const files = [];
  const count = full ? 5000 : 1000;
  for (let index = 0; index < count; index++) {
    const file = join(dir, `${index}.metrics`);
    const generated = generateFile(random);
    writeFileSync(file, generated.text);
    files.push({ file, ...generated });
    await reader.attempt(`file ${index} (${generated.malformedKind ?? 'well-formed'})`, () => {
      const { problems, expect } = problemList();
      let reports;
      try {
        reports = core.readMetricFile(file);
      } catch (error) {
        expect(generated.malformedKind !== undefined, `threw for a well-formed file: ${error.message}`);
        expect(error instanceof core.HptuneError && error.code === 'MALFORMED_METRIC_FILE', `threw ${error?.name}: ${error?.message}`);
        expect(/line \d+/.test(error.message) && error.message.includes(file), `message lacks the file and line: ${error.message}`);
        return problems;
      }
      expect(generated.malformedKind === undefined, `accepted a ${generated.malformedKind} line`);
      if (generated.malformedKind === undefined) {
        expect(reports.length === generated.reports.length, `${reports.length} reports, expected ${generated.reports.length}`);
        generated.reports.forEach((want, i) => {
          const got = reports[i];
          expect(got && got.tag === want.tag && within(got.value, want.value) && got.globalStep === want.globalStep && within(got.timestamp, want.timestamp), `report ${i} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
        });
      }
      return problems;
    });
  }

  // A sample through real trials: the trainer writes the file and exits 0.
  const trials = new CaseResult('metric file fuzz: through trials', 'the study completes (no coordinator failure); each trial SUCCEEDED with the last reported accuracy, or INFEASIBLE malformed-metric-file / no-metric as documented');
  const sample = files.slice(0, full ? 60 : 16);
  const studyDir = join(dir, 'studies');
  const handle = await core.launchStudy({
    name: 'fuzz',
    space: core.searchSpace({ file: core.categorical(sample.map((entry) => `metric-file:${entry.file}`)) }),
    metric: { id: 'accuracy', goal: 'maximize' },
    algorithm: 'grid',
    // The reader is under test: each trial's value is its last report, as the case says.
    measurementSelection: 'last',
    parallelTrials: 2,
    trainer: { command: process.execPath, args: [FAULTY_TRAINER, '--fault-param=file'] },
    studyDir,
    backend: core.local({ pollIntervalMs: 20 }),
  });
  const result = await handle.wait().catch((error) => ({ error }));
  if (result.error) {
    trials.record('the study', [`ended with ${result.error.code}: ${result.error.message}`]);
    return [reader, trials];
  }
  for (const entry of sample) {
    const trial = result.trials.find((candidate) => candidate.parameters.file === `metric-file:${entry.file}`);
    const { problems, expect } = problemList();
    const accuracy = entry.reports.findLast((report) => report.tag === 'accuracy');
    if (!trial) expect(false, 'no trial ran it');
    else if (entry.malformedKind) expect(trial.state === 'INFEASIBLE' && trial.failure?.kind === 'malformed-metric-file', `${entry.malformedKind}: ${trial.state} ${JSON.stringify(trial.failure)}`);
    else if (!accuracy) expect(trial.state === 'INFEASIBLE' && trial.failure?.kind === 'no-metric', `no accuracy: ${trial.state} ${JSON.stringify(trial.failure)}`);
    else expect(trial.state === 'SUCCEEDED' && within(trial.finalMeasurement?.metrics.accuracy, accuracy.value), `well-formed: ${trial.state} ${JSON.stringify(trial.finalMeasurement ?? trial.failure)}, expected accuracy ${accuracy.value}`);
    trials.record(entry.file, problems);
  }
  return [reader, trials];
}
