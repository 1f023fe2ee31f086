// The worker's own report (python/tshell_hook/sitecustomize.py, loaded in every worker tshell starts):
// what each Worker(...) really is, read from a private file in the state dir and checked line by line
// (it comes from outside this process). Readiness is this report plus a poller of the same process.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { ensurePrivateDir, projectKey } from '../config/state-dir.js';
import { packageRoot } from './tools.js';
import * as z from 'zod/mini';
import { parseOrUndefined } from '../checked-json.js';

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

/** A text field, or nothing: the hook writes null (and '') for what the worker left unset. */
const text = z.catch(
  z.pipe(
    z.optional(z.nullable(z.string())),
    z.transform((v) => v || undefined),
  ),
  undefined,
);
/** Names, keeping only the strings (a workflow without a definition is written as null). */
const names = z.catch(
  z.pipe(
    z.array(z.unknown()),
    z.transform((a) => a.filter((x): x is string => typeof x === 'string')),
  ),
  [],
);
/** One line the hook writes: `worker` when a Worker(...) is made, `running` and `stopped` as it runs. */
const ReportLineSchema = z.object({
  event: z.string(),
  pid: z.number(),
  taskQueue: text,
  namespace: text,
  target: text,
  identity: text,
  sdk: text,
  workflows: names,
  activities: names,
  time: z.catch(z.optional(z.number()), undefined),
  files: z.catch(z.optional(names), undefined),
  workflowFiles: names,
});

/** The newest worker the processes `pids` reported (uv's python child reports for uv's worker). */
export function readWorkerReport(file: string, pids: Set<number>): WorkerReport | undefined {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let report: WorkerReport | undefined;
  for (const line of content.split('\n')) {
    const r = parseOrUndefined(ReportLineSchema, line); // a torn or foreign line is skipped
    if (!r || !pids.has(r.pid)) continue;
    const taskQueue = r.taskQueue;
    if (r.event === 'worker' && taskQueue) {
      const opt = { namespace: r.namespace, target: r.target, identity: r.identity, sdk: r.sdk };
      report = {
        pid: r.pid,
        taskQueue,
        workflows: r.workflows,
        activities: r.activities,
        state: 'constructed',
        ...Object.fromEntries(Object.entries(opt).filter(([, v]) => v !== undefined)),
      };
    } else if ((r.event === 'running' || r.event === 'stopped') && report && taskQueue === report.taskQueue) {
      report.state = r.event;
      if (r.event === 'running' && r.time !== undefined) report.runningAt = new Date(r.time * 1000).toISOString();
      if (r.event === 'running' && r.files) {
        report.files = r.files;
        report.workflowFiles = r.workflowFiles;
      }
    }
  }
  return report;
}
