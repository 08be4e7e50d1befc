// The API reports of hptune's published packages: every name each package entry exports, with its
// kind, computed with the TypeScript compiler from the entry's source and checked in under the
// package's api/ folder (packages/<package>/api/<entry>.api.md). A new, removed or changed export
// then shows in review, and `pnpm lint` (which runs the check) and core's src/api-report.test.ts
// fail until the report is updated on purpose. A package is published when its package.json is not
// "private"; its entries are the subpaths of its `exports` that its tsup config builds.
//
//   node scripts/api-report.mjs            check (exit 1 and a diff when changed)
//   node scripts/api-report.mjs --update   rewrite the reports
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages');

/** The most names `@hptune/core`'s `.` should export: a design target shown in its report, not a check. */
export const ROOT_ENTRY_NAME_TARGET = 120;

/** What the check tells whoever changed an export. */
export const API_CHANGED_MESSAGE = 'an export changed: review it, then run pnpm api:update';

/**
 * Every entry of every workspace package that has a tsup build: its import name (`@hptune/core`,
 * `@hptune/core/blob`), package, folder, subpath and source file, and whether the package is published.
 * @throws Error when a published package exports a JavaScript subpath its tsup config does not build
 */
function workspaceEntries() {
  const entries = [];
  for (const folder of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, folder);
    const manifestFile = join(dir, 'package.json');
    const tsupFile = join(dir, 'tsup.config.ts');
    if (!existsSync(manifestFile) || !existsSync(tsupFile)) continue;
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const built = new Map([...readFileSync(tsupFile, 'utf8').matchAll(/(\w+): '(src\/[^']+)'/g)].map(([, name, file]) => [name, file]));
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (subpath === './package.json' || (typeof target === 'string' && !/\.[cm]?js$/.test(target))) continue;
      const file = built.get(subpath === '.' ? 'index' : subpath.slice(2));
      const published = manifest.private !== true;
      if (file === undefined) {
        if (published) throw new Error(`${manifest.name} exports ${subpath}, which ${folder}/tsup.config.ts does not build: add the entry there`);
        continue;
      }
      const id = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
      entries.push({ id, packageName: manifest.name, folder, dir, subpath, file, published });
    }
  }
  return entries;
}

/** The entries whose names are reported: those of published packages. */
export function reportedEntries() {
  return workspaceEntries().filter((entry) => entry.published);
}

/** The report file of an entry: `packages/<folder>/api/index.api.md` for `.`, `.../tensorboard.api.md` for `./tensorboard`. */
export function reportFile(entry) {
  return join(entry.dir, 'api', `${entry.subpath === '.' ? 'index' : entry.subpath.slice(2)}.api.md`);
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
 * The exported names of every reported entry, sorted, with their kinds, read from the sources with
 * the TypeScript compiler.
 * @returns a map from entry id (`@hptune/core/blob`) to `[name, kind]` pairs
 */
export function computeApiReports() {
  const all = workspaceEntries();
  const entries = all.filter((entry) => entry.published);
  const files = Object.fromEntries(entries.map((entry) => [entry.id, join(entry.dir, entry.file)]));
  // Only our own files decide what is exported: no lib, no @types, no dependencies keeps this fast.
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noLib: true, types: [], noEmit: true };
  const host = ts.createCompilerHost(options);
  const workspace = new Map(all.map((entry) => [entry.id, join(entry.dir, entry.file)]));
  host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, compilerOptions, containingSourceFile) =>
    literals.map((literal) => {
      if (literal.text.startsWith('.')) {
        return ts.resolveModuleName(literal.text, containingFile, compilerOptions, host, undefined, redirectedReference, ts.getModeForUsageLocation(containingSourceFile, literal, compilerOptions));
      }
      // A sibling package (`@hptune/trial` re-exported by core): its source decides, as a package's own does.
      const source = workspace.get(literal.text);
      return source ? { resolvedModule: { resolvedFileName: source, extension: ts.Extension.Ts, isExternalLibraryImport: false } } : { resolvedModule: undefined };
    });
  const program = ts.createProgram(Object.values(files), options, host);
  const checker = program.getTypeChecker();
  const reports = new Map();
  for (const [id, file] of Object.entries(files)) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${file} is not a module the compiler could read`);
    const names = checker
      .getExportsOfModule(module)
      .map((exported) => [exported.getName(), kindOf(checker, exported)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    reports.set(id, names);
  }
  return reports;
}

/** The entry of an id, `@hptune/core/blob`. */
function entryOf(id) {
  const entry = reportedEntries().find((candidate) => candidate.id === id);
  if (!entry) throw new Error(`${id} is not an entry of a published package`);
  return entry;
}

/** The text of one entry's report file. */
export function formatApiReport(id, names) {
  const entry = entryOf(id);
  const target = id === '@hptune/core' ? ` The design target for this entry is under ${ROOT_ENTRY_NAME_TARGET} names.` : '';
  return [
    `# API report: \`${id}\``,
    '',
    `Every name \`${id}\` exports (from \`packages/${entry.folder}/${entry.file}\`), with its kind: each one is a promise to users.`,
    `Written by \`pnpm api:update\`; \`pnpm lint\` (\`pnpm api:report\`) fails when an export changes without it.${target}`,
    '',
    `${names.length} names.`,
    '',
    '| name | kind |',
    '| --- | --- |',
    ...names.map(([name, kind]) => `| \`${name}\` | ${kind} |`),
    '',
  ].join('\n');
}

/** The checked-in report of each reported entry, `undefined` where its file is missing. */
export function readApiReports() {
  return new Map(
    reportedEntries().map((entry) => {
      const file = reportFile(entry);
      return [entry.id, existsSync(file) ? readFileSync(file, 'utf8') : undefined];
    }),
  );
}

/**
 * What differs between the computed reports and the checked-in ones, one line per name
 * (`+ @hptune/core/blob withRetry (function)`, `- @hptune/core createRandom (function)`); empty when they agree.
 */
export function diffApiReports(computed, checkedIn) {
  const lines = [];
  for (const [id, names] of computed) {
    const expected = formatApiReport(id, names);
    const actual = checkedIn.get(id);
    if (actual === expected) continue;
    if (actual === undefined) {
      lines.push(`${id}: no report checked in (run pnpm api:update)`);
      continue;
    }
    const rows = (text) => new Set(text.split('\n').filter((line) => line.startsWith('| `')));
    const now = rows(expected);
    const before = rows(actual);
    const describe = (row) => row.replace(/^\| `([^`]+)` \| (.*) \|$/, '$1 ($2)');
    const count = lines.length;
    for (const row of before) if (!now.has(row)) lines.push(`- ${id} ${describe(row)}`);
    for (const row of now) if (!before.has(row)) lines.push(`+ ${id} ${describe(row)}`);
    if (lines.length === count) lines.push(`${id}: its report differs outside its table`);
  }
  return lines;
}

/** Writes every entry's report. */
export function writeApiReports(computed) {
  for (const [id, names] of computed) {
    const file = reportFile(entryOf(id));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, formatApiReport(id, names));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const computed = computeApiReports();
  if (process.argv.includes('--update')) {
    writeApiReports(computed);
    for (const [id, names] of computed) console.log(`${id}: ${names.length} names`);
  } else {
    const diff = diffApiReports(computed, readApiReports());
    if (diff.length > 0) {
      console.error(`${API_CHANGED_MESSAGE}\n${diff.join('\n')}`);
      process.exit(1);
    }
    console.log(`API reports up to date: ${[...computed].map(([id, names]) => `${id} ${names.length}`).join(', ')}`);
  }
}
