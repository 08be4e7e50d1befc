// A row of the campaign's table: one case, tried some number of times, each try passing or not.

/** Records the tries of one case; `failures` keeps what went wrong (the first 5 are printed). */
export class CaseResult {
  constructor(name, checked) {
    this.case = name;
    this.checked = checked;
    this.tries = 0;
    this.passed = 0;
    this.failures = [];
  }

  /** Records one try: `problems` is a list of what was wrong (empty: passed). */
  record(label, problems) {
    this.tries += 1;
    if (problems.length === 0) this.passed += 1;
    else this.failures.push(`${label}: ${problems.join('; ')}`);
  }

  /** Runs one try; a thrown error is a failed try. */
  async attempt(label, body) {
    let problems;
    try {
      problems = (await body()) ?? [];
    } catch (error) {
      problems = [`threw ${error?.stack ?? error}`];
    }
    this.record(label, problems);
  }
}

/** Collects problems: `expect(condition, 'what should hold')`. */
export function problemList() {
  const problems = [];
  const expect = (condition, what) => {
    if (!condition) problems.push(what);
    return condition;
  };
  return { problems, expect };
}
