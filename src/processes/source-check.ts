// Before `dev` stops a worker for changed code: does that code still compile and import, in the
// worker's own environment (python/tshell_check.py)? If not, the old worker keeps running.
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { splitCommand } from './spawn.js';
import { projectRunEnv } from './project-env.js';
import type { PythonRunner } from './python-run.js';
import { childEnv, packageRoot } from './tools.js';

export type SourceCheck =
  | { ok: true }
  | { ok: false; file: string; line?: number; message: string; module?: string }
  | { ok: 'unchecked'; why: string };

/** The environment the worker's code sees (its path, tshell's bytecode folder): what checks and the warm Python run in. */
export function workerCodeEnv(settings: Settings): NodeJS.ProcessEnv {
  const argv = splitCommand(settings.workerCmd, 'worker command');
  return childEnv({
    TEMPORAL_ADDRESS: settings.address,
    ...projectRunEnv(argv, settings.workerDir, settings.stateDir),
  });
}

export async function checkSources(
  settings: Settings,
  run: PythonRunner,
  files: string[],
  signal?: AbortSignal,
): Promise<SourceCheck> {
  const r = await run(join(packageRoot(), 'python', 'tshell_check.py'), files, {
    cwd: settings.workerDir,
    env: workerCodeEnv(settings),
    timeoutMs: 60_000,
    ...(signal ? { signal } : {}),
  });
  const line = r.stdout
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (!line)
    return {
      ok: 'unchecked',
      why: `the check did not run (exit code ${r.exitCode ?? '?'})${r.timedOut ? ' within 60 s' : ''}: ${r.stderr.trim().split('\n').pop() ?? ''}`,
    };
  const raw = JSON.parse(line) as Record<string, unknown>;
  if (raw.ok === true) return { ok: true };
  return {
    ok: false,
    file: typeof raw.file === 'string' ? raw.file : (files[0] ?? ''),
    message: typeof raw.message === 'string' ? raw.message : 'the code does not import',
    ...(typeof raw.line === 'number' ? { line: raw.line } : {}),
    ...(typeof raw.module === 'string' ? { module: raw.module } : {}),
  };
}
