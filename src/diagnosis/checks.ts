// The re-checks the wizard runs after a fix: did the workflow task complete, did the activity's next
// attempt pass, did the new run complete, does a worker poll now. Each waits a bounded time.
import { isAlive, sleep } from '../processes/proc.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { eventId, eventTypeName, fetchHistory, type HistoryEvent } from '../temporal/history.js';
import { livePollerCount } from '../temporal/task-queue.js';
import { awaitCloseEvent, describeWorkflow } from '../temporal/workflows.js';
import type { Evidence } from './evidence.js';
import type { CheckKind } from './procedures.js';

export interface CheckResult {
  kind: CheckKind;
  ok: boolean;
  text: string;
  eventId?: number;
  workflowId?: string;
  runId?: string;
}

interface CheckOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** For `new-run`: the workflow the procedure started. */
  newWorkflowId?: string;
}

async function poll<T>(opts: CheckOptions, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    const hit = await probe();
    if (hit !== undefined || Date.now() > until) return hit;
    await sleep(500, opts.signal);
  }
}

const scheduledIdOf = (e: HistoryEvent): number =>
  Number(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? e.activityTaskFailedEventAttributes?.scheduledEventId ?? 0));

export async function runCheck(kind: CheckKind, h: TemporalHandle, before: Evidence, opts: CheckOptions): Promise<CheckResult> {
  const { workflowId, runId, taskQueue } = before.desc;
  if (kind === 'worker-polls') {
    const n = await poll(opts, async () => ((await livePollerCount(h, taskQueue, 'workflow', isAlive)) > 0 ? true : undefined));
    return { kind, ok: Boolean(n), text: n ? `a worker polls ${taskQueue} now` : `still no worker polls ${taskQueue}` };
  }
  if (kind === 'task-completes') {
    // Resolved when a workflow task completes after the failure (the workflow moved on), or it closed.
    const failedAt = Math.max(0, ...before.failures.filter((f) => f.kind === 'WorkflowTaskFailed').map((f) => f.eventId));
    const done = await poll(opts, async () => {
      const events = await fetchHistory(h, workflowId, runId);
      return events.find((e) => eventId(e) > failedAt && eventTypeName(e) === 'WorkflowTaskCompleted');
    });
    if (done) return { kind, ok: true, text: `the workflow task now completes (event ${eventId(done)}): the workflow resumed`, eventId: eventId(done) };
    const d = await describeWorkflow(h, workflowId, runId);
    return { kind, ok: false, text: `no workflow task has completed yet${d.pendingWorkflowTask ? ` (attempt ${d.pendingWorkflowTask.attempt})` : ''}: check the worker log (\`logs\`)` };
  }
  if (kind === 'activity-passes') {
    const target = before.desc.pendingActivities.find((a) => a.lastFailure) ?? before.desc.pendingActivities[0];
    if (!target) return { kind, ok: false, text: 'no pending activity to watch' };
    const events0 = await fetchHistory(h, workflowId, runId);
    const scheduled = events0.find((e) => e.activityTaskScheduledEventAttributes?.activityId === target.activityId);
    const sid = scheduled ? eventId(scheduled) : -1;
    const closed = await poll(opts, async () => (await fetchHistory(h, workflowId, runId)).find((e) => scheduledIdOf(e) === sid));
    if (closed && eventTypeName(closed) === 'ActivityTaskCompleted') {
      // Give the workflow a moment to act on the result: it may complete right away.
      const end = await awaitCloseEvent(h, workflowId, runId, Date.now() + 15_000, opts.signal);
      return { kind, ok: true, text: `activity ${target.activityType}: the next attempt passed (event ${eventId(closed)} ActivityTaskCompleted); the workflow ${end ? `is ${end.status}` : 'runs on'}`, eventId: eventId(closed) };
    }
    if (closed) return { kind, ok: false, text: `activity ${target.activityType} failed for good (event ${eventId(closed)})`, eventId: eventId(closed) };
    const now = (await describeWorkflow(h, workflowId, runId)).pendingActivities.find((a) => a.activityId === target.activityId);
    return { kind, ok: false, text: `activity ${target.activityType} still fails (attempt ${now?.attempt ?? '?'}): ${now?.lastFailure ?? 'no failure recorded yet'}` };
  }
  // new-run: the workflow the procedure started.
  const id = opts.newWorkflowId;
  if (!id || id === workflowId) return { kind, ok: false, text: 'no new workflow was started' };
  const close = await awaitCloseEvent(h, id, undefined, Date.now() + opts.timeoutMs, opts.signal);
  if (close?.status === 'COMPLETED') return { kind, ok: true, text: `the new workflow ${id} COMPLETED`, workflowId: id, eventId: close.eventId };
  if (close) return { kind, ok: false, text: `the new workflow ${id} closed as ${close.status}`, workflowId: id, eventId: close.eventId };
  return { kind, ok: true, text: `the new workflow ${id} is RUNNING with no failure so far (still running after ${Math.round(opts.timeoutMs / 1000)} s)`, workflowId: id };
}
