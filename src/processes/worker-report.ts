// The worker's own report (python/tshell_hook/sitecustomize.py, loaded in every worker tshell starts):
// what each Worker(...) really is, read from a private file in the state dir and checked line by line
// (it comes from outside this process). Readiness is this report plus a poller of the same process.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { ensurePrivateDir, projectKey } from '../config/state-dir.js';
import { packageRoot } from './tools.js';

export interface WorkerReport {
  pid: number;
  taskQueue: string;
  namespace?: string;
  target?: string;
  identity?: string;
  workflows: string[];
  activities: string[];
  sdk?: string;
  /** running once Worker.run() (or `async with`) began; stopped when it returned. */
  state: 'constructed' | 'running' | 'stopped';
  /** When Worker.run() began (its pollers start then). */
  runningAt?: string;
  /** Source files it had loaded when it began running, outside its Python environment. */
  files?: string[];
  /** Of those, the files its workflow classes are defined in or use: a change there needs the gate. */
  workflowFiles?: string[];
}

export function workerReportFile(settings: Settings): string {
  return join(settings.stateDir, 'reports', `worker-${projectKey(settings)}.jsonl`);
}

/** The environment that loads the hook (unless TSHELL_WORKER_HOOK=0), and a fresh report file. */
export function reportEnv(
  settings: Settings,
  env: NodeJS.ProcessEnv,
): { vars: Record<string, string>; path: string[] } {
  const file = workerReportFile(settings);
  ensurePrivateDir(join(file, '..'));
  rmSync(file, { force: true });
  if (env.TSHELL_WORKER_HOOK === '0') return { vars: {}, path: [] };
  return { vars: { TSHELL_WORKER_REPORT: file }, path: [join(packageRoot(), 'python', 'tshell_hook')] };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The newest worker the processes `pids` reported (uv's python child reports for uv's worker). */
export function readWorkerReport(file: string, pids: Set<number>): WorkerReport | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let report: WorkerReport | undefined;
  for (const line of text.split('\n')) {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue; // a torn or foreign line
    }
    if (!raw || typeof raw !== 'object') continue;
    const r = raw as Record<string, unknown>;
    if (typeof r.pid !== 'number' || !pids.has(r.pid)) continue;
    const taskQueue = str(r.taskQueue);
    if (r.event === 'worker' && taskQueue) {
      const opt = { namespace: str(r.namespace), target: str(r.target), identity: str(r.identity), sdk: str(r.sdk) };
      report = {
        pid: r.pid,
        taskQueue,
        workflows: strings(r.workflows),
        activities: strings(r.activities),
        state: 'constructed',
        ...Object.fromEntries(Object.entries(opt).filter(([, v]) => v !== undefined)),
      };
    } else if ((r.event === 'running' || r.event === 'stopped') && report && taskQueue === report.taskQueue) {
      report.state = r.event;
      if (r.event === 'running' && typeof r.time === 'number') report.runningAt = new Date(r.time * 1000).toISOString();
      if (r.event === 'running' && Array.isArray(r.files)) {
        report.files = strings(r.files);
        report.workflowFiles = strings(r.workflowFiles);
      }
    }
  }
  return report;
}
