// The layering of src/, checked on the real import graph (ARCHITECTURE.md says why each rule holds).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of a file (static, type-only and dynamic), as paths relative to src/. */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    const target = resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'));
    found.add(relative(SRC, target));
  }
  return [...found];
}

const files = sourceFiles(SRC).map((f) => relative(SRC, f));
const graph = new Map(files.map((f) => [f, importsOf(join(SRC, f))]));
const part = (f: string) => (f.includes('/') ? f.split('/')[0]! : f);
const isCommandFile = (f: string) =>
  part(f) === 'commands' && /\bdefineCommand\s*[<(]/.test(readFileSync(join(SRC, f), 'utf8'));

/** Which parts a part may not import. */
const FORBIDDEN: Record<string, string[]> = {
  'cli-model': ['shell', 'commands', 'processes', 'diagnosis'],
  commands: ['shell', 'cli.ts', 'mcp'],
  temporal: ['processes', 'commands', 'shell', 'diagnosis', 'render', 'project'],
  processes: ['commands', 'shell', 'diagnosis', 'render'],
  diagnosis: ['shell', 'render', 'commands'],
  config: ['commands', 'shell', 'temporal', 'processes', 'diagnosis', 'render'],
  render: ['commands', 'shell', 'temporal', 'processes', 'diagnosis'],
  project: ['commands', 'shell', 'diagnosis', 'render', 'temporal'],
};

describe('architecture', () => {
  it('finds the sources and their imports', () => {
    assert.ok(files.length > 40, `only ${files.length} files`);
    assert.ok((graph.get('cli.ts') ?? []).length > 3);
  });

  it('respects the layering', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if ((FORBIDDEN[part(file)] ?? []).includes(part(target))) violations.push(`${file} → ${target}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('has no file-level import cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (!graph.has(t)) continue;
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f);
    assert.deepEqual(cycles, []);
  });

  it('has no command file importing another command file', () => {
    const offenders = files
      .filter(isCommandFile)
      .flatMap((f) => (graph.get(f) ?? []).filter((t) => graph.has(t) && isCommandFile(t)).map((t) => `${f} → ${t}`));
    assert.deepEqual(offenders, []);
  });

  it('has no file over 400 lines once formatted: sources, tests, scripts', () => {
    const ROOT = resolve(SRC, '..');
    const checked = [
      SRC,
      join(ROOT, 'test', 'unit'),
      join(ROOT, 'test', 'integration'),
      join(ROOT, 'test', 'helpers'),
      join(ROOT, 'scripts'),
    ].flatMap(sourceFiles);
    assert.ok(checked.length > files.length, 'tests and scripts are checked too');
    const long = checked
      .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8').trimEnd().split('\n').length] as const)
      .filter(([, n]) => n > 400);
    assert.deepEqual(long, []);
  });

  it('loads the heavy packages only when a command needs them: type-only or dynamic imports', () => {
    // A static value import of one of these anywhere in the bundle's shared chunks loads it for every
    // command: one of @temporalio/client's made `help` take 430 ms instead of 110.
    const HEAVY = /^(@temporalio\/|@grpc\/|execa$|@inquirer\/|@modelcontextprotocol\/|protobufjs)/;
    const offenders = files.flatMap((f) => {
      const text = readFileSync(join(SRC, f), 'utf8');
      return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)]
        .filter((m) => HEAVY.test(m[1]!))
        .map((m) => `${f}: ${m[1]}`);
    });
    assert.deepEqual(offenders, []);
    assert.ok(
      HEAVY.test('@temporalio/client') && !HEAVY.test('chalk'),
      'the checker itself tells a heavy package from a light one',
    );
  });

  it("draws the REPL's first prompt from one built file that loads no zod and no heavy package", () => {
    // The launcher draws the banner and prompt from dist/first-prompt.cjs before the CLI loads, so a
    // person sees the prompt at about Node's own start-up speed (bench: cold start to first prompt).
    const packages = new Set<string>();
    const seen = new Set<string>();
    const walk = (f: string): void => {
      if (seen.has(f)) return;
      seen.add(f);
      const text = readFileSync(join(SRC, f), 'utf8');
      for (const m of text.matchAll(/^import\s+(?!type\b)(?:[^;]*?from\s+)?['"]([^'"]+)['"]/gm)) {
        const target = m[1]!;
        if (target.startsWith('.')) walk(relative(SRC, resolve(dirname(join(SRC, f)), target.replace(/\.js$/, '.ts'))));
        else if (!target.startsWith('node:')) packages.add(target);
      }
    };
    walk('shell/first-prompt.ts');
    assert.ok(seen.has('shell/prompt.ts') && seen.has('processes/pidfile.ts'), [...seen].join(' '));
    assert.deepEqual([...packages], [], 'the first prompt needs only node built-ins (chalk loads only for colour)');
    const built = readFileSync(resolve(SRC, '../dist/first-prompt.cjs'), 'utf8');
    const imports = [...built.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!);
    assert.ok(imports.length > 0, "the checker sees the bundle's requires");
    assert.deepEqual(
      imports.filter((i) => !i.startsWith('node:')),
      [],
      'dist/first-prompt.cjs is one file: everything it requires a node built-in',
    );
    assert.ok(!built.includes('node_modules/zod'), 'no zod in the first prompt');
  });

  it('the checker itself sees a forbidden import', () => {
    const text = "import { x } from '../shell/repl.js';\nconst y = await import('./other.js');";
    assert.deepEqual(importsOf(join(SRC, 'commands/fake.ts'), text), ['shell/repl.ts', 'commands/other.ts']);
  });
});
