// How to run a project, decided from what discovery read: where its root is, which Python runs it
// (uv, poetry, an active virtualenv, a .venv folder, python3), the worker and starter commands, and
// the task queue. Pure apart from looking at marker files, so it is tested on plain folders.
import { declaredEntry } from './declared.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Discovery, QueueValue, StarterCall, WorkerCall } from './discover.js';

const ROOT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', '.git'];

/** The environment root: the nearest folder (the project dir or above) with a project marker. */
export function findRoot(projectDir: string): string {
  for (let dir = projectDir, i = 0; i < 40; i++) {
    if (ROOT_MARKERS.some((m) => existsSync(join(dir, m))) || hasRequirements(dir)) return dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return projectDir;
}

export function hasRequirements(dir: string): boolean {
  return ['requirements.txt', 'requirements-dev.txt', 'requirements.in'].some((f) => existsSync(join(dir, f)));
}

export type RunnerKind = 'uv' | 'poetry' | 'virtualenv' | 'venv' | 'python3';

export interface Runner {
  kind: RunnerKind;
  /** Runs a tool of the environment: ['uv', 'run'] / ['poetry', 'run'] / [] (a venv's bin is on the path given). */
  prefix: string[];
  /** The Python of the environment, for `python -m` and files. */
  python: string[];
  /** The venv's bin folder, for script entry points, when there is one. */
  bin?: string;
  /** Why this one (`uv.lock`, `VIRTUAL_ENV`, …). */
  source: string;
  /** The command that installs temporalio in it. */
  install: string;
}

export function chooseRunner(root: string, env: NodeJS.ProcessEnv, hasTool: (name: string) => boolean): Runner {
  const pyproject = join(root, 'pyproject.toml');
  const text = existsSync(pyproject) ? readFileSync(pyproject, 'utf8') : '';
  if (/^\[tool\.poetry\]/m.test(text) && hasTool('poetry')) {
    return {
      kind: 'poetry',
      prefix: ['poetry', 'run'],
      python: ['poetry', 'run', 'python'],
      source: 'pyproject.toml [tool.poetry]',
      install: 'poetry add temporalio',
    };
  }
  if (text && (existsSync(join(root, 'uv.lock')) || /^\[project\]/m.test(text)) && !/^\[tool\.poetry\]/m.test(text)) {
    return {
      kind: 'uv',
      prefix: ['uv', 'run'],
      python: ['uv', 'run', 'python'],
      source: existsSync(join(root, 'uv.lock')) ? 'uv.lock' : 'pyproject.toml [project]',
      install: 'uv add temporalio',
    };
  }
  const pipInstall = (python: string) =>
    `${python} -m pip install ${hasRequirements(root) ? '-r requirements.txt' : 'temporalio'}`;
  const active = env.VIRTUAL_ENV;
  if (active && existsSync(join(active, 'bin', 'python'))) {
    return {
      kind: 'virtualenv',
      prefix: [],
      python: [join(active, 'bin', 'python')],
      bin: join(active, 'bin'),
      source: `VIRTUAL_ENV ${active}`,
      install: pipInstall(join(active, 'bin', 'python')),
    };
  }
  for (const name of ['.venv', 'venv']) {
    const bin = join(root, name, 'bin');
    if (existsSync(join(bin, 'python')))
      return {
        kind: 'venv',
        prefix: [],
        python: [join(bin, 'python')],
        bin,
        source: `${name}/`,
        install: pipInstall(join(bin, 'python')),
      };
  }
  const req = hasRequirements(root) ? '-r requirements.txt' : 'temporalio';
  // Not into python3 itself (a distribution's Python refuses it, PEP 668): a .venv, which tshell then uses.
  return {
    kind: 'python3',
    prefix: [],
    python: ['python3'],
    source: 'python3 on PATH',
    install: `python3 -m venv .venv && .venv/bin/python -m pip install ${req}`,
  };
}

export interface EntryPoint {
  argv: string[];
  /** The folder it runs in. */
  cwd: string;
  /** file:line of the Worker(...) / start_workflow(...) call. */
  where: string;
  file: string;
  taskQueue?: ResolvedQueue;
}

export interface ResolvedQueue {
  value?: string;
  /** Where it is written, and how it was resolved (`run_worker.py:18`, `config.py:6 (env ORDERS_QUEUE)`). */
  source: string;
  /** Set when only the running worker can tell (its heartbeat). */
  unknown?: string;
}

export interface RunPlan {
  projectDir: string;
  root: string;
  runner: Runner;
  worker?: EntryPoint;
  workerChoices: EntryPoint[];
  starter?: EntryPoint;
  starterChoices: EntryPoint[];
  /** Workflow type names, for `start` without a starter. */
  workflowTypes: string[];
  hasTemporalCode: boolean;
}

/** A task_queue= value with the environment the worker will get. */
export function resolveQueue(q: QueueValue | null | undefined, env: NodeJS.ProcessEnv): ResolvedQueue | undefined {
  if (!q) return undefined;
  const where = q.source ?? '';
  if (q.literal !== undefined) return { value: q.literal, source: where };
  if (q.env) {
    const fromEnv = env[q.env];
    if (fromEnv) return { value: fromEnv, source: `${where} (env ${q.env})` };
    if (q.default !== undefined) return { value: q.default, source: `${where} (default of env ${q.env})` };
    return { source: where, unknown: `env ${q.env} (not set here)` };
  }
  return { source: where, unknown: q.unknown ?? 'set at run time' };
}

function scriptFor(discovery: Discovery, module: string, preferred: string): string | undefined {
  const entries = Object.entries(discovery.scripts).filter(([, target]) => target.split(':')[0] === module);
  return (entries.find(([name]) => name === preferred) ?? entries[0])?.[0];
}

/** The command that runs one module the way its layout says. */
function entryArgv(
  call: WorkerCall | StarterCall,
  kind: 'worker' | 'starter',
  discovery: Discovery,
  runner: Runner,
  projectDir: string,
  root: string,
): { argv: string[]; cwd: string } | undefined {
  const script = scriptFor(discovery, call.module, kind);
  if (script) {
    if (runner.prefix.length) return { argv: [...runner.prefix, script], cwd: root };
    if (runner.bin && existsSync(join(runner.bin, script))) return { argv: [join(runner.bin, script)], cwd: root };
  }
  if (!call.hasMain && !script) return undefined;
  const file = join(projectDir, call.file);
  const pkgDir = dirname(file);
  // A package module that imports its own package absolutely runs as `python -m pkg.mod` from the
  // folder holding the package (running the file would put the package folder itself on sys.path).
  // A sample in a repository of samples runs as its README says: the file, from the repository's root.
  if (
    root === projectDir &&
    call.importsOwnPackage &&
    existsSync(join(pkgDir, '__init__.py')) &&
    call.module.includes('.')
  ) {
    const depth = call.module.split('.').length - 1;
    let base = pkgDir;
    for (let i = 1; i < depth; i++) base = dirname(base);
    base = dirname(base);
    return { argv: [...runner.python, '-m', call.module], cwd: base };
  }
  const rel = relative(root, file);
  if (runner.kind === 'uv' || runner.kind === 'poetry')
    return { argv: [...runner.prefix, ...(runner.kind === 'poetry' ? ['python'] : []), rel], cwd: root };
  return { argv: [...runner.python, rel], cwd: root };
}

function entries<T extends WorkerCall | StarterCall>(
  calls: T[],
  kind: 'worker' | 'starter',
  discovery: Discovery,
  runner: Runner,
  projectDir: string,
  root: string,
  env: NodeJS.ProcessEnv,
): EntryPoint[] {
  const byFile = new Map<string, EntryPoint>();
  for (const call of calls) {
    if (byFile.has(call.file)) continue;
    const run = entryArgv(call, kind, discovery, runner, projectDir, root);
    if (!run) continue;
    byFile.set(call.file, {
      ...run,
      where: `${call.file}:${call.line}`,
      file: call.file,
      taskQueue: resolveQueue(call.taskQueue, env),
    });
  }
  return [...byFile.values()];
}

/**
 * A script entry named like the role (`worker`, `run-worker`, `starter`…), for a project whose
 * Worker(...) call discovery could not see (built in another module, or the module does not parse).
 */
function scriptEntry(discovery: Discovery, role: 'worker' | 'starter', runner: Runner, root: string): EntryPoint[] {
  const name =
    Object.keys(discovery.scripts).find((n) => n === role) ??
    Object.keys(discovery.scripts).find((n) => n.includes(role));
  if (!name) return [];
  const argv = runner.prefix.length ? [...runner.prefix, name] : runner.bin ? [join(runner.bin, name)] : undefined;
  return argv ? [{ argv, cwd: root, where: `pyproject.toml [project.scripts] ${name}`, file: 'pyproject.toml' }] : [];
}

export function planProject(
  projectDir: string,
  root: string,
  discovery: Discovery,
  env: NodeJS.ProcessEnv,
  hasTool: (name: string) => boolean,
): RunPlan {
  const runner = chooseRunner(root, env, hasTool);
  const found = entries(discovery.workers, 'worker', discovery, runner, projectDir, root, env);
  const workerChoices = found.length ? found : scriptEntry(discovery, 'worker', runner, root);
  // Several workers: the one the project's own Makefile, Procfile, compose file or README runs.
  const declared = workerChoices.length > 1 ? declaredEntry(root, workerChoices, discovery.scripts) : undefined;
  const worker =
    workerChoices.length === 1
      ? workerChoices[0]
      : declared && { ...declared.entry, where: `${declared.entry.where} (${declared.by})` };
  const workerFiles = new Set(discovery.workers.map((w) => w.file));
  const starters = entries(
    discovery.starters.filter((s) => !workerFiles.has(s.file)),
    'starter',
    discovery,
    runner,
    projectDir,
    root,
    env,
  );
  const starterChoices = starters.length ? starters : scriptEntry(discovery, 'starter', runner, root);
  const hasTemporalCode =
    discovery.workers.length + discovery.starters.length + discovery.workflows.length + discovery.activities.length > 0;
  return {
    projectDir,
    root,
    runner,
    workerChoices,
    starterChoices,
    ...(worker ? { worker } : {}),
    ...(starterChoices.length === 1 ? { starter: starterChoices[0] } : {}),
    workflowTypes: [...new Set(discovery.workflows.map((w) => w.name))],
    hasTemporalCode,
  };
}

/** "samples/hello" of a path below the root, for messages. */
export function shortPath(root: string, path: string): string {
  const rel = relative(root, path);
  return rel === '' ? '.' : rel.split(sep).join('/');
}
