// The determinism gate: before a worker is restarted onto changed workflow code, the histories of the
// workflows it runs are replayed against the new code. If any no longer replays, restarting would
// wedge them (a non-determinism error on their next workflow task), so the old worker stays.
import type { Settings } from '../config/settings.js';
import { findProjectWorkers } from '../processes/worker-find.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { listExecutions, quoteValue, statusClause } from '../temporal/visibility.js';
import { newestPy } from './evidence.js';
import type { PythonRunner } from '../processes/python-run.js';
import { replayMany, type BatchReplay } from './replay.js';

export interface GateResult {
  /** Why nothing was checked (no running worker, unchanged code, no running workflow…). */
  skipped?: string;
  taskQueue?: string;
  total: number;
  checked: number;
  diverged: {
    workflowId: string;
    runId: string;
    eventId?: number;
    eventType?: string;
    reason?: string;
    resetTo?: number;
  }[];
  /** Running workflows that got no verdict, and why (the restart is then not proven safe). */
  unchecked: { workflowId: string; runId: string; why: string }[];
}

export async function determinismGate(
  h: TemporalHandle,
  settings: Settings,
  /** The interpreter to replay in (may throw: then nothing could be checked, and that is why). */
  python: () => string[],
  /** `changed`: the caller saw the code change (`dev`): no look at file times. */
  opts: {
    limit: number;
    budgetMs: number;
    signal?: AbortSignal;
    progress?: (line: string) => void;
    changed?: boolean;
    runner?: PythonRunner;
  },
): Promise<GateResult> {
  const none = (skipped: string, taskQueue?: string): GateResult => ({
    skipped,
    total: 0,
    checked: 0,
    diverged: [],
    unchecked: [],
    ...(taskQueue ? { taskQueue } : {}),
  });
  // A look only: stale PID files are ensure-worker's to report and remove, right after.
  const workers = findProjectWorkers(settings, { tidy: false }).workers;
  if (workers.length === 0) return none('no worker of this project runs');
  const startedAt = Math.min(...workers.map((w) => Date.now() - w.uptimeMs));
  const newest = newestPy(settings.projectDir);
  if (!opts.changed && (newest === undefined || newest <= startedAt + 1000))
    return none('the code has not changed since the worker started');
  const taskQueue = workers.find((w) => w.taskQueue)?.taskQueue ?? (settings.taskQueue || undefined);
  if (!taskQueue) return none("the running worker's task queue is unknown");
  const running = await listExecutions(
    h,
    `TaskQueue = ${quoteValue(taskQueue)} AND ${statusClause('RUNNING')}`,
    opts.limit,
  );
  if (running.length === 0) return none(`no workflow runs on ${taskQueue}`, taskQueue);
  let interpreter: string[];
  try {
    interpreter = python();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      taskQueue,
      total: running.length,
      checked: 0,
      diverged: [],
      unchecked: running.map((r) => ({ workflowId: r.workflowId, runId: r.runId, why })),
    };
  }
  opts.progress?.(
    `the code changed since the worker started: replaying ${running.length} running workflow(s) on ${taskQueue} against it…`,
  );
  const batch: BatchReplay = await replayMany(
    h,
    settings,
    interpreter,
    running.map((r) => ({ workflowId: r.workflowId, runId: r.runId })),
    {
      budgetMs: opts.budgetMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.runner ? { runner: opts.runner } : {}),
    },
  );
  return {
    taskQueue,
    total: batch.total,
    checked: batch.checked,
    diverged: batch.diverged.map((d) => ({
      workflowId: d.workflowId,
      runId: d.runId,
      ...(d.eventId ? { eventId: d.eventId } : {}),
      ...(d.eventType ? { eventType: d.eventType } : {}),
      ...(d.reason ? { reason: d.reason } : {}),
      ...(d.resetTo ? { resetTo: d.resetTo.eventId } : {}),
    })),
    unchecked: batch.unchecked,
  };
}
