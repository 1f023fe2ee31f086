// A worker that dies at start with `ModuleNotFoundError: No module named 'X'`: what its environment
// lacks, said for the environment tshell ran it with (a venv, uv, poetry, or a bare python3 with no
// virtualenv at all), with the one command that fixes it. tshell never runs that command itself: it
// writes into the project.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasRequirements, type Runner } from './plan.js';
import { loadProject } from './index.js';

/** The module a Python traceback says is missing: `No module named 'temporalio.client'` → temporalio.client. */
export function missingModule(text: string): string | undefined {
  return /ModuleNotFoundError: No module named '([^']+)'/.exec(text)?.[1];
}

/** Whether a top-level module is the project's own code (a package folder or a .py file in the root). */
function isProjectCode(top: string, root: string): boolean {
  return existsSync(join(root, top)) || existsSync(join(root, `${top}.py`));
}

/** The hint for a missing module, or undefined when it is the project's own code (then it is not the environment). */
export function missingModuleHint(module: string, runner: Runner, root: string): string | undefined {
  const top = module.split('.')[0] ?? module;
  if (isProjectCode(top, root)) return undefined;
  // A module's name is not always its package's (yaml is PyYAML): name a package only when it is known.
  const pkg = top === 'temporalio' ? top : '<the package that provides it>';
  const what = hasRequirements(root) ? '-r requirements.txt' : pkg;
  const again = 'then `ensure-worker` again';
  switch (runner.kind) {
    case 'python3':
      return `\`${top}\` is not installed for python3 on PATH, and ${root} has no virtualenv: make one there (\`python3 -m venv .venv && .venv/bin/python -m pip install ${what}\`); tshell runs the worker with .venv/ from then on`;
    case 'venv':
    case 'virtualenv':
      return `\`${top}\` is not installed in ${runner.source}: \`${runner.python.join(' ')} -m pip install ${what}\`, ${again}`;
    case 'uv':
    case 'poetry':
      return `\`${top}\` is not among the project's dependencies (${runner.source}): \`${runner.kind} add ${pkg}\`, ${again}`;
  }
}

/** Whether the worker command runs in the environment the runner names (else its advice would be about another). */
function runsIn(argv: string[], runner: Runner): boolean {
  const first = argv[0] ?? '';
  if (runner.kind === 'uv' || runner.kind === 'poetry') return first === runner.kind;
  if (runner.bin) return first.startsWith(`${runner.bin}/`);
  return first === 'python3' || first === 'python';
}

/**
 * The hint for a worker that exited at start, when its log says a module is missing in the
 * environment it ran in; undefined when it says something else (the caller's generic hint stands).
 */
export function startupFailureHint(
  argv: string[],
  logLines: string[],
  projectDir: string,
  stateDir: string,
): string | undefined {
  const module = missingModule(logLines.join('\n'));
  if (!module) return undefined;
  const { plan } = loadProject(projectDir, stateDir);
  return runsIn(argv, plan.runner) ? missingModuleHint(module, plan.runner, plan.root) : undefined;
}
