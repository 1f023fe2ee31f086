// Reads the project's files (never runs them): walks the Python files, and when any changed since the
// last look (mtimes, cached in the state dir) asks the bundled `python/tshell_discover.py` to parse
// them with Python's own `ast`. The result says where the workers, starters, workflows and
// activities are; plan.ts turns it into commands.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensurePrivateDir, fnv1a } from '../config/state-dir.js';
import { findTool, packageRoot } from '../processes/tools.js';
import { parseChecked, parseOrUndefined } from '../checked-json.js';
import { DiscoveryCacheSchema, DiscoverySchema, RealPythonSchema, type Discovery } from './discovery-schema.js';

export type { ActivityDef, Discovery, QueueValue, StarterCall, WorkerCall, WorkflowDef } from './discovery-schema.js';

const SKIP_DIRS = new Set([
  '.venv',
  'venv',
  'env',
  '.git',
  'node_modules',
  '__pycache__',
  'site-packages',
  'build',
  'dist',
  '.tox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
]);
const MAX_FILES = 2000;
const CACHE_VERSION = 2;

/** The project's Python files (relative paths) with their mtimes, in a stable order. */
export function pythonFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (out.size >= MAX_FILES) return;
      const full = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(full);
      } else if (e.name.endsWith('.py')) {
        try {
          out.set(relative(dir, full), statSync(full).mtimeMs);
        } catch {
          // vanished meanwhile
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** A file's mtime, 0 when it is not there. */
export function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export const EMPTY_DISCOVERY: Discovery = {
  workers: [],
  starters: [],
  workflows: [],
  activities: [],
  scripts: {},
  files: 0,
  errors: [],
};

/**
 * The project's discovery, from the cache when no Python file (nor the pyproject) changed.
 * Never throws: a project it cannot read is an empty discovery with the reason in `errors`.
 */
export function discoverProject(projectDir: string, root: string, stateDir: string): Discovery {
  const files = pythonFiles(projectDir);
  if (files.size === 0) return { ...EMPTY_DISCOVERY, scripts: {} };
  const stamp = {
    version: CACHE_VERSION,
    root,
    pyproject: mtime(join(root, 'pyproject.toml')),
    files: Object.fromEntries(files),
  };
  const cacheDir = join(stateDir, 'discovery');
  const cacheFile = join(cacheDir, `${fnv1a(projectDir)}.json`);
  const stampText = JSON.stringify(stamp);
  if (existsSync(cacheFile)) {
    try {
      const cached = parseOrUndefined(DiscoveryCacheSchema, readFileSync(cacheFile, 'utf8'));
      if (cached?.stamp === stampText) return cached.discovery;
    } catch {
      // rebuilt below
    }
  }
  const discovery = runHelper(projectDir, root, [...files.keys()], stateDir);
  try {
    ensurePrivateDir(cacheDir);
    writeFileSync(cacheFile, JSON.stringify({ stamp: stampText, discovery }), { mode: 0o600 });
  } catch {
    // a cache is optional
  }
  return discovery;
}

/**
 * The interpreter behind `python3` (a pyenv or asdf shim is a script that costs ~130 ms a call),
 * asked once and remembered in the state dir.
 */
function realPython(shim: string, stateDir: string): string {
  const file = join(stateDir, 'discovery', 'python.json');
  try {
    const cached = parseOrUndefined(RealPythonSchema, readFileSync(file, 'utf8'));
    if (cached?.shim === shim && existsSync(cached.real)) return cached.real;
  } catch {
    // asked below
  }
  try {
    const real = execFileSync(shim, ['-I', '-S', '-c', 'import sys; print(sys.executable)'], {
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    if (!real || !existsSync(real)) return shim;
    ensurePrivateDir(join(stateDir, 'discovery'));
    writeFileSync(file, JSON.stringify({ shim, real }), { mode: 0o600 });
    return real;
  } catch {
    return shim;
  }
}

function runHelper(projectDir: string, root: string, files: string[], stateDir: string): Discovery {
  const python = findTool('python3');
  if (!python) return { ...EMPTY_DISCOVERY, errors: [{ file: '', error: 'no python3 to read the project with' }] };
  const helper = join(packageRoot(), 'python', 'tshell_discover.py');
  try {
    // -I -S: the standard library only, nothing from the user's site or environment.
    const out = execFileSync(
      realPython(python.path, stateDir),
      ['-I', '-S', helper, projectDir, '--root', root, '--files-from-stdin'],
      { input: JSON.stringify(files), timeout: 20_000, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return parseChecked(DiscoverySchema, out.toString('utf8'), "the project reader's output");
  } catch (err) {
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    return { ...EMPTY_DISCOVERY, errors: [{ file: '', error: `reading the project failed: ${message}` }] };
  }
}
