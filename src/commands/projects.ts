// projects: what discovery found under the project dir: one row per worker entry point (a repository
// of samples has several), with its folder, queue and command, so `project <folder>` can pick one.
import { dirname } from 'node:path';
import { table } from '../render/format.js';
import { defineCommand } from '../cli-model/types.js';

interface ProjectRow {
  folder: string;
  worker: string;
  command: string;
  runsIn: string;
  taskQueue?: string;
  queueSource?: string;
}

export const projectsCommand = defineCommand({
  name: 'projects',
  group: 'shell',
  effect: 'read',
  summary:
    'The workers discovered under the project dir (a repository of samples has several), each with its queue and command',
  examples: ['projects', 'projects --json'],
  flags: [],
  fields: {
    root: 'the environment root (pyproject, requirements, .git)',
    runner: 'how Python runs there: uv, poetry, virtualenv, venv, python3',
    projects: '[{folder, worker (file:line), command, runsIn, taskQueue, queueSource}]',
    chosen:
      'of several, the worker the project itself runs (its Makefile, Procfile, compose file or README), and where it says so',
  },
  async run(ctx): Promise<{ root: string; runner: string; projects: ProjectRow[]; chosen?: string }> {
    const { plan } = ctx.project();
    return {
      root: plan.root,
      runner: `${plan.runner.kind} (${plan.runner.source})`,
      ...(plan.workerChoices.length > 1 && plan.worker ? { chosen: plan.worker.where } : {}),
      projects: plan.workerChoices.map((w) => ({
        folder: dirname(w.file) === '.' ? '.' : dirname(w.file),
        worker: w.where,
        command: w.argv.join(' '),
        runsIn: w.cwd,
        ...(w.taskQueue?.value ? { taskQueue: w.taskQueue.value, queueSource: w.taskQueue.source } : {}),
      })),
    };
  },
  render(d, s) {
    if (d.projects.length === 0) return `no worker found under this project dir (root ${d.root})`;
    const lines = [
      table(
        s,
        ['folder', 'worker', 'task queue', 'command'],
        d.projects.map((p) => [p.folder, p.worker, p.taskQueue ?? s.c.dim('(run time)'), p.command]),
      ),
    ];
    if (d.chosen) lines.push(`${s.ok} the project runs ${d.chosen}`);
    else if (d.projects.length > 1) {
      // Folders tell them apart only when they differ; a file always does.
      const oneFolder = new Set(d.projects.map((p) => p.folder)).size < d.projects.length;
      lines.push(
        s.c.dim(
          oneFolder
            ? 'pick one with `ensure-worker --worker FILE`'
            : 'pick one with `project <folder>` (or `ensure-worker --worker FILE`)',
        ),
      );
    }
    return lines.join('\n');
  },
});
