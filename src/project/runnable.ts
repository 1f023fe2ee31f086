// Can a command actually run here? Used so that `doctor` never shows ✓ for a command that does not
// exist: the program must be found, a `uv run NAME` must name a script of the project (or a file),
// and a Python file must be there.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findTool, searchPath } from '../processes/tools.js';

export interface Runnable {
  ok: boolean;
  /** The program that would run, or why it cannot. */
  detail: string;
}

function program(name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  return (
    searchPath(name, env.PATH) ??
    (name === 'uv' || name === 'python3' || name === 'temporal' ? findTool(name, undefined, env)?.path : undefined)
  );
}

/** Checks the words of a command against the folder it runs in and the project's scripts. */
export function runnable(
  argv: string[],
  cwd: string,
  scripts: Record<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Runnable {
  const [first, ...rest] = argv;
  if (!first) return { ok: false, detail: 'empty command' };
  const found = program(first, env);
  if (!found) return { ok: false, detail: `${first}: program not found` };
  let args = rest;
  const tool = basename(first);
  if ((tool === 'uv' || tool === 'poetry') && args[0] === 'run') {
    args = args.slice(1);
    while (args[0]?.startsWith('-')) args = args.slice(1); // `uv run --with x` style options
    const target = args[0];
    if (!target) return { ok: false, detail: `${tool} run: nothing to run` };
    if (target.endsWith('.py'))
      return existsSync(join(cwd, target))
        ? { ok: true, detail: found }
        : { ok: false, detail: `${target}: no such file in ${cwd}` };
    if (/^python[\d.]*$/.test(target)) args = args.slice(1);
    else if (scripts[target] || existsSync(join(cwd, '.venv', 'bin', target)))
      return { ok: true, detail: `${found} (script ${target}${scripts[target] ? ` = ${scripts[target]}` : ''})` };
    else return { ok: false, detail: `${tool} run ${target}: the project defines no script ${target}` };
  } else if (!/^python[\d.]*$/.test(tool)) {
    return { ok: true, detail: found };
  }
  // python [-m module | file.py]
  if (args[0] === '-m') return { ok: Boolean(args[1]), detail: found };
  const file = args.find((a) => a.endsWith('.py'));
  if (file && !existsSync(join(cwd, file))) return { ok: false, detail: `${file}: no such file in ${cwd}` };
  return { ok: true, detail: found };
}
