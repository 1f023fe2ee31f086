// The Python environment a `uv run …` command runs in, without writing into the user's project.
// `uv run` on its own locks (a new uv.lock), syncs (a new or changed .venv) and builds the project in
// place. tshell runs it with UV_NO_SYNC=1, so an existing .venv is used as the user left it; a project
// with no .venv runs in tshell's own environment in the state dir (UV_PROJECT_ENVIRONMENT), built
// from uv.lock (`uv sync --frozen`, never relocking) or from pyproject.toml (`uv pip install`).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { ensurePrivateDir, fnv1a } from '../config/state-dir.js';
import { ErrorCodes, TshellError } from '../errors.js';
import { childEnv, findTool } from './tools.js';

export interface UvEnvironment {
  /** The folder with the pyproject.toml uv finds from the command's folder. */
  root: string;
  /** The project's own environment (UV_PROJECT_ENVIRONMENT, else its .venv), when it has one. */
  own?: string;
  /** tshell's own environment for it, when the project has no .venv. */
  managed?: string;
  /** What the managed environment is built from. */
  from?: 'uv.lock' | 'pyproject.toml';
}

export interface ManagedEnvironment {
  dir: string;
  from: 'uv.lock' | 'pyproject.toml';
  /** Set when it was built (or rebuilt) just now. */
  builtMs?: number;
  /** Why the project itself is not installed in it, when it is not. */
  notInstalled?: string;
}

/** `uv run …` (by name or path). */
export function isUvRun(argv: string[]): boolean {
  return basename(argv[0] ?? '') === 'uv' && argv[1] === 'run';
}

function uvRoot(cwd: string): string | undefined {
  for (let dir = cwd, i = 0; i < 40; i++) {
    if (existsSync(join(dir, 'pyproject.toml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** Where `uv run` in `cwd` runs, and whether tshell provides the environment. */
export function uvEnvironment(
  cwd: string,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): UvEnvironment | undefined {
  const root = uvRoot(cwd);
  if (!root) return undefined;
  if (env.UV_PROJECT_ENVIRONMENT) return { root, own: env.UV_PROJECT_ENVIRONMENT };
  if (existsSync(join(root, '.venv'))) return { root, own: join(root, '.venv') };
  return {
    root,
    managed: join(stateDir, 'envs', `${basename(root)}-${fnv1a(root)}`),
    from: existsSync(join(root, 'uv.lock')) ? 'uv.lock' : 'pyproject.toml',
  };
}

/**
 * Where the Python tshell runs keeps its bytecode: the state dir, never the project's folders, and
 * even when PYTHONDONTWRITEBYTECODE is set (it keeps caches out of source trees, and this one is
 * outside): uv installs no bytecode, and compiling the SDK at every start is most of a worker's start-up.
 */
export function bytecodeEnv(stateDir: string): { PYTHONPYCACHEPREFIX: string; PYTHONDONTWRITEBYTECODE: string } {
  return { PYTHONPYCACHEPREFIX: ensurePrivateDir(join(stateDir, 'pycache')), PYTHONDONTWRITEBYTECODE: '' };
}

/**
 * The environment a project command (worker, starter) runs with: its folder first on PYTHONPATH
 * (after `first`, the worker hook), bytecode caches in the state dir rather than in the project, and
 * for `uv run` no implicit sync and tshell's environment when the project has none.
 */
export function projectRunEnv(
  argv: string[],
  cwd: string,
  stateDir: string,
  first: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const uv = isUvRun(argv) ? uvEnvironment(cwd, stateDir, env) : undefined;
  // Not installed in tshell's environment: its folders on the path, as an editable install puts them.
  const notInstalled =
    uv?.managed && !installsProject(uv.root).install
      ? [join(uv.root, 'src'), uv.root].filter((p) => existsSync(p))
      : [];
  const paths = [...first, cwd, ...notInstalled, env.PYTHONPATH ?? ''].filter((p, i, all) => p && all.indexOf(p) === i);
  return {
    PYTHONPATH: paths.join(delimiter),
    ...bytecodeEnv(stateDir),
    ...(isUvRun(argv) ? { UV_NO_SYNC: '1' } : {}),
    ...(uv?.managed ? { UV_PROJECT_ENVIRONMENT: uv.managed } : {}),
  };
}

/** The Python `uv run` would use there, when that environment exists: the project's own, else tshell's (once built). */
export function uvPython(uv: UvEnvironment | undefined): string | undefined {
  const dir = uv?.own ?? uv?.managed;
  const python = dir && join(dir, 'bin', 'python');
  return python && existsSync(python) ? python : undefined;
}

function stampOf(uv: UvEnvironment): string {
  const text = readFileSync(join(uv.root, uv.from ?? 'pyproject.toml'), 'utf8');
  return `${uv.from} ${text.length} ${fnv1a(text)}`;
}

/**
 * A setuptools build writes `<name>.egg-info` into the project, so such a project is not installed
 * in tshell's environment; its folder is on the worker's PYTHONPATH instead. Other backends (uv_build,
 * hatchling, …) build editables outside the tree. No build system: uv does not install it either.
 */
function installsProject(root: string): { install: boolean; why?: string } {
  const text = readFileSync(join(root, 'pyproject.toml'), 'utf8');
  const backend = /^\s*build-backend\s*=\s*["']([^"']+)["']/m.exec(text)?.[1];
  if (!backend) return { install: false };
  if (backend.startsWith('setuptools'))
    return { install: false, why: 'a setuptools build writes .egg-info into the project' };
  return { install: true };
}

/**
 * Builds (or refreshes) tshell's environment for a `uv run` command when the project has none of its
 * own. Nothing when the project has a .venv, the command is not `uv run`, or the environment matches
 * its lock file or pyproject.toml already.
 */
export async function prepareRunEnv(
  argv: string[],
  cwd: string,
  stateDir: string,
  opts: { progress?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<ManagedEnvironment | undefined> {
  if (!isUvRun(argv)) return undefined;
  const uv = uvEnvironment(cwd, stateDir);
  if (!uv?.managed || !uv.from) return undefined;
  const stampFile = join(uv.managed, '.tshell-stamp');
  const stamp = stampOf(uv);
  const project = installsProject(uv.root);
  const made = { dir: uv.managed, from: uv.from, ...(project.why ? { notInstalled: project.why } : {}) };
  if (uvPython(uv) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return made;
  const uvPath = findTool('uv')?.path;
  if (!uvPath)
    throw new TshellError(
      'uv is not installed',
      ErrorCodes.toolMissing,
      'run `tshell setup` (it installs the pinned uv), or put uv on PATH',
    );
  const started = Date.now();
  opts.progress?.(
    `${uv.root} has no .venv: building tshell's own environment for it from ${uv.from} in ${uv.managed} (nothing is written into the project)…`,
  );
  ensurePrivateDir(dirname(uv.managed));
  const { execa } = await import('execa');
  const env = childEnv({ UV_PROJECT_ENVIRONMENT: uv.managed });
  const run = async (args: string[]) => {
    const r = await execa(uvPath, args, { cwd: uv.root, env, reject: false, all: true, cancelSignal: opts.signal });
    if (r.exitCode !== 0) {
      throw new TshellError(
        `could not build tshell's environment for ${uv.root}: uv ${args[0]} ${args[1] ?? ''} failed`,
        ErrorCodes.process,
        `fix the project's dependencies, or make its own environment (\`uv sync\`)`,
        1,
        String(r.all ?? '')
          .split('\n')
          .slice(-10),
      );
    }
  };
  if (uv.from === 'uv.lock') {
    await run(['sync', '--frozen', '--quiet', ...(project.install ? [] : ['--no-install-project'])]);
  } else {
    rmSync(uv.managed, { recursive: true, force: true });
    await run(['venv', '--quiet', '--python', 'python3', uv.managed]);
    await run([
      'pip',
      'install',
      '--quiet',
      '--python',
      join(uv.managed, 'bin', 'python'),
      ...(project.install ? ['-e', uv.root] : ['-r', join(uv.root, 'pyproject.toml')]),
    ]);
  }
  writeFileSync(stampFile, stamp);
  return { ...made, builtMs: Date.now() - started };
}
