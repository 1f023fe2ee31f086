// Before `dev` stops a worker for changed code: does that code still compile and import, in the
// worker's own environment (python/tshell_check.py)? If not, the old worker keeps running.
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { splitCommand } from './spawn.js';
import { projectRunEnv } from './project-env.js';
import { childEnv, packageRoot } from './tools.js';

export type SourceCheck = { ok: true } | { ok: false; file: string; line?: number; message: string; module?: string } | { ok: 'unchecked'; why: string };

export async function checkSources(settings: Settings, python: string[], files: string[], signal?: AbortSignal): Promise<SourceCheck> {
  const { execa } = await import('execa');
  const [exe, ...pre] = python;
  if (!exe) return { ok: 'unchecked', why: 'no Python to check with' };
  const argv = splitCommand(settings.workerCmd, 'worker command');
  const r = await execa(exe, [...pre, join(packageRoot(), 'python', 'tshell_check.py'), ...files], {
    cwd: settings.workerDir,
    env: childEnv({ TEMPORAL_ADDRESS: settings.address, ...projectRunEnv(argv, settings.workerDir, settings.stateDir) }),
    extendEnv: false,
    reject: false,
    timeout: 60_000,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  const line = String(r.stdout).split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (!line) return { ok: 'unchecked', why: `the check did not run (exit code ${r.exitCode ?? '?'}): ${String(r.stderr).trim().split('\n').pop() ?? ''}` };
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
