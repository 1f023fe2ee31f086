// The running worker of a project, as other parts ask about it: its interpreter (where replay and the
// gate run without making an environment) and what it reported of itself.
import type { Settings } from '../config/settings.js';
import { allProcs, processTree, treePids, type ProcInfo } from './proc.js';
import { isPythonPath } from './tools.js';
import { findProjectWorkers } from './worker-find.js';
import { readWorkerReport, workerReportFile, type WorkerReport } from './worker-report.js';

/**
 * The Python interpreter a running worker of the project really uses (the first process of its
 * tree that runs one: uv's child, a venv script's shebang), as the path it was started by, so a
 * venv stays a venv (`/proc/PID/exe` would name the base interpreter).
 */
export function runningWorkerPython(settings: Settings): string | undefined {
  const procs = allProcs();
  for (const w of findProjectWorkers(settings, { tidy: false, procs }).workers) {
    for (const p of processTree(w.pid, procs)) {
      const first = p.argv[0] ?? '';
      if (isPythonPath(first) && first.startsWith('/')) return first;
    }
  }
  return undefined;
}

/** The report of this project's running tshell-started worker, when it made one (`procs`: one look at the table). */
export function runningWorkerReport(settings: Settings, procs: ProcInfo[] = allProcs()): WorkerReport | undefined {
  const live = findProjectWorkers(settings, { tidy: false, procs }).workers.filter((w) => w.startedByTshell);
  if (!live.length) return undefined;
  return readWorkerReport(
    workerReportFile(settings),
    treePids(
      live.map((w) => w.pid),
      procs,
    ),
  );
}
