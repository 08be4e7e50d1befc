// The API report of @hptune/core: every name each package entry exports, with its kind, computed
// with the TypeScript compiler from the entry's source and checked in under packages/core/api/.
// A new, removed or changed export then shows in review, and src/api-report.test.ts fails until
// the report is updated on purpose.
//
//   node packages/core/scripts/api-report.mjs            check (exit 1 and a diff when changed)
//   node packages/core/scripts/api-report.mjs --update   rewrite the reports
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const coreDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The report's folder, one `<entry>.api.md` per package entry. */
export const API_REPORT_DIR = join(coreDir, 'api');

/** Each subpath of package.json `exports` and the source file its build entry starts from. */
export const API_ENTRIES = Object.freeze({
  '.': 'src/index.ts',
  './errors': 'src/errors.ts',
  './tensorboard': 'src/tensorboard.ts',
  './blob': 'src/blob.ts',
  './local': 'src/backends/local/index.ts',
  './vertex': 'src/backends/vertex/index.ts',
  './testing': 'src/testing/index.ts',
  './algorithms': 'src/algorithms.ts',
});

/** The most names `.` should export: a design target shown in its report, not a check. */
export const ROOT_ENTRY_NAME_TARGET = 120;

/** What the test and `pnpm api:report` tell whoever changed an export. */
export const API_CHANGED_MESSAGE = 'an export changed: review it, then run pnpm api:update';

/** The report file of a subpath: `index.api.md` for `.`, `tensorboard.api.md` for `./tensorboard`. */
export function reportFileName(subpath) {
  return `${subpath === '.' ? 'index' : subpath.slice(2)}.api.md`;
}

/** Throws when package.json `exports` and {@link API_ENTRIES} name different subpaths. */
function checkEntriesMatchPackage() {
  const manifest = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8'));
  const exported = Object.keys(manifest.exports).filter((subpath) => subpath !== './package.json').sort();
  const reported = Object.keys(API_ENTRIES).sort();
  if (exported.join() !== reported.join()) {
    throw new Error(`package.json exports ${exported.join(', ')} but the API report covers ${reported.join(', ')}: add the entry to API_ENTRIES in scripts/api-report.mjs`);
  }
}

const KIND_FLAGS = [
  [ts.SymbolFlags.Class, 'class'],
  [ts.SymbolFlags.Interface, 'interface'],
  [ts.SymbolFlags.TypeAlias, 'type'],
  [ts.SymbolFlags.Enum, 'enum'],
  [ts.SymbolFlags.Function, 'function'],
  [ts.SymbolFlags.Variable, 'const'],
  [ts.SymbolFlags.Module, 'namespace'],
];

/** `class`, `function`, `const + type` (a value and a type of one name)...; `(type only)` when exported with `export type`. */
function kindOf(checker, exported) {
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const kinds = KIND_FLAGS.filter(([flag]) => target.flags & flag).map(([, name]) => name);
  const declaration = target.valueDeclaration;
  if (declaration && ts.isVariableDeclaration(declaration) && !(ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const)) {
    kinds[kinds.indexOf('const')] = 'let';
  }
  const typeOnly = (exported.declarations ?? []).some((node) => ts.isExportSpecifier(node) && (node.isTypeOnly || node.parent.parent.isTypeOnly));
  const valueKinds = kinds.filter((kind) => kind !== 'interface' && kind !== 'type');
  return `${kinds.join(' + ') || 'unknown'}${typeOnly && valueKinds.length > 0 ? ' (type only)' : ''}`;
}

/**
 * The exported names of every entry, sorted, with their kinds, read from the sources with the
 * TypeScript compiler.
 * @returns a map from subpath to `[name, kind]` pairs
 */
export function computeApiReports() {
  checkEntriesMatchPackage();
  const files = Object.fromEntries(Object.entries(API_ENTRIES).map(([subpath, file]) => [subpath, join(coreDir, file)]));
  // Only our own files decide what is exported: no lib, no @types, no dependencies keeps this ~1 s.
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noLib: true, types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  const workspace = workspaceSources();
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
    literals.map((literal) => {
      if (literal.text.startsWith('.')) {
        return ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, undefined, redirectedReference, ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions));
      }
      // A sibling package (`@hptune/trial`) re-exported by core: its source decides, as core's own does.
      const source = workspace.get(literal.text);
      return source ? { resolvedModule: { resolvedFileName: source, extension: ts.Extension.Ts, isExternalLibraryImport: false } } : { resolvedModule: undefined };
    });
  const program = ts.createProgram(Object.values(files), options, host);
  const checker = program.getTypeChecker();
  const reports = new Map();
  for (const [subpath, file] of Object.entries(files)) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${file} is not a module the compiler could read`);
    const names = checker
      .getExportsOfModule(module)
      .map((exported) => [exported.getName(), kindOf(checker, exported)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    reports.set(subpath, names);
  }
  return reports;
}

/**
 * The source file of each entry of each sibling workspace package (`@hptune/trial` ->
 * `packages/trial/src/index.ts`), read from its package.json `exports` and its tsup entries.
 */
function workspaceSources() {
  const packagesDir = join(coreDir, '..');
  const sources = new Map();
  for (const folder of readdirSync(packagesDir)) {
    const manifestFile = join(packagesDir, folder, 'package.json');
    const tsupFile = join(packagesDir, folder, 'tsup.config.ts');
    if (folder === 'core' || !existsSync(manifestFile) || !existsSync(tsupFile)) continue;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const entries = new Map([...readFileSync(tsupFile, 'utf8').matchAll(/(\w+): '(src\/[^']+)'/g)].map(([, name, file]) => [name, file]));
    for (const subpath of Object.keys(manifest.exports ?? {})) {
      const file = entries.get(subpath === '.' ? 'index' : subpath.slice(2));
      if (file) sources.set(subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, join(packagesDir, folder, file));
    }
  }
  return sources;
}

/** The text of one entry's report file. */
export function formatApiReport(subpath, names) {
  const packageName = subpath === '.' ? '@hptune/core' : `@hptune/core/${subpath.slice(2)}`;
  const target = subpath === '.' ? ` The design target for this entry is under ${ROOT_ENTRY_NAME_TARGET} names.` : '';
  return [
    `# API report: \`${packageName}\``,
    '',
    `Every name \`${packageName}\` exports (from \`${API_ENTRIES[subpath]}\`), with its kind: each one is a promise to users.`,
    `Written by \`pnpm api:update\`; \`src/api-report.test.ts\` fails when an export changes without it.${target}`,
    '',
    `${names.length} names.`,
    '',
    '| name | kind |',
    '| --- | --- |',
    ...names.map(([name, kind]) => `| \`${name}\` | ${kind} |`),
    '',
  ].join('\n');
}

/** The checked-in report of each entry, `undefined` where its file is missing. */
export function readApiReports() {
  return new Map(
    Object.keys(API_ENTRIES).map((subpath) => {
      const file = join(API_REPORT_DIR, reportFileName(subpath));
      return [subpath, existsSync(file) ? readFileSync(file, 'utf8') : undefined];
    }),
  );
}

/**
 * What differs between the computed reports and the checked-in ones, one line per name
 * (`+ ./blob withRetry (function)`, `- . createRandom (function)`); empty when they agree.
 */
export function diffApiReports(computed, checkedIn) {
  const lines = [];
  for (const [subpath, names] of computed) {
    const expected = formatApiReport(subpath, names);
    const actual = checkedIn.get(subpath);
    if (actual === expected) continue;
    if (actual === undefined) {
      lines.push(`${subpath}: no ${reportFileName(subpath)} checked in`);
      continue;
    }
    const rows = (text) => new Set(text.split('\n').filter((line) => line.startsWith('| `')));
    const now = rows(expected);
    const before = rows(actual);
    const describe = (row) => row.replace(/^\| `([^`]+)` \| (.*) \|$/, '$1 ($2)');
    for (const row of before) if (!now.has(row)) lines.push(`- ${subpath} ${describe(row)}`);
    for (const row of now) if (!before.has(row)) lines.push(`+ ${subpath} ${describe(row)}`);
    if (lines.length === 0) lines.push(`${subpath}: ${reportFileName(subpath)} differs outside its table`);
  }
  return lines;
}

/** Writes every entry's report. */
export function writeApiReports(computed) {
  mkdirSync(API_REPORT_DIR, { recursive: true });
  for (const [subpath, names] of computed) writeFileSync(join(API_REPORT_DIR, reportFileName(subpath)), formatApiReport(subpath, names));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const computed = computeApiReports();
  if (process.argv.includes('--update')) {
    writeApiReports(computed);
    for (const [subpath, names] of computed) console.log(`${reportFileName(subpath)}: ${names.length} names`);
  } else {
    const diff = diffApiReports(computed, readApiReports());
    if (diff.length > 0) {
      console.error(`${API_CHANGED_MESSAGE}\n${diff.join('\n')}`);
      process.exit(1);
    }
    console.log(`API report up to date: ${[...computed].map(([subpath, names]) => `${subpath} ${names.length}`).join(', ')}`);
  }
}
