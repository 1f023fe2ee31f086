// Before `dev` stops a worker for changed code: does that code still compile and import, in the
// worker's own environment (python/tshell_check.py)? If not, the old worker keeps running.
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { splitCommand } from './spawn.js';
import { projectRunEnv } from './project-env.js';
import type { PythonRunner } from './python-run.js';
import { childEnv, packageRoot } from './tools.js';
import * as z from 'zod/mini';
import { parseChecked } from '../checked-json.js';

/** python/tshell_check.py's last line: ok, or where the code stopped importing. */
const CheckOutputSchema = z.object({
  ok: z.boolean(),
  file: z.optional(z.string()),
  line: z.optional(z.number()),
  module: z.optional(z.string()),
  message: z.optional(z.string()),
});

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
  const raw = parseChecked(CheckOutputSchema, line, "the source check's output");
  if (raw.ok) return { ok: true };
  return {
    ok: false,
    file: raw.file ?? files[0] ?? '',
    message: raw.message ?? 'the code does not import',
    ...(raw.line !== undefined ? { line: raw.line } : {}),
    ...(raw.module !== undefined ? { module: raw.module } : {}),
  };
}
