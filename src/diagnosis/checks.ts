// The re-checks the wizard runs after a fix. A re-check is a claim, so each one watches the thing the
// finding was about (the stuck workflow task, the failing activity's attempt *after* the fix, the
// scheduled work being picked up, the new run), names the evidence that proves its verdict (event id,
// attempt number, run id), and says "not yet known" and how to check when its time runs out, never
// ✓ without proof nor ✗ with an old error.
import { sleep } from '../processes/proc.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { eventId, eventTypeName, fetchHistory, type HistoryEvent } from '../temporal/history.js';
import { awaitCloseEvent, describeWorkflow, type PendingActivity } from '../temporal/workflows.js';
import type { Evidence } from './evidence.js';
import type { CheckKind } from './procedures.js';

export type Verdict = 'passed' | 'failed' | 'unknown';

export interface CheckResult {
  kind: CheckKind;
  verdict: Verdict;
  /** passed (kept for scripts that read it). */
  ok: boolean;
  text: string;
  /** The event that proves it. */
  eventId?: number;
  /** The attempt that passed or failed. */
  attempt?: number;
  workflowId?: string;
  /** The run watched. */
  runId?: string;
  /** When the verdict is unknown: the command that tells later. */
  howToCheck?: string;
}

export interface CheckOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** For `new-run`: the workflow the procedure started. */
  newWorkflowId?: string;
  /** For a reset: the run it created, which the check follows. */
  newRunId?: string;
  /** For a reset: the event it went back to (the new run copies the history up to there). */
  resetEventId?: number;
  /** Says what the check waits for (a spinner alone for a minute says nothing). */
  progress?: (line: string) => void;
}

const result = (kind: CheckKind, verdict: Verdict, text: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  kind,
  verdict,
  ok: verdict === 'passed',
  text,
  ...extra,
});

async function poll<T>(
  until: number,
  signal: AbortSignal,
  probe: () => Promise<T | undefined>,
): Promise<T | undefined> {
  for (;;) {
    const hit = await probe();
    if (hit !== undefined || Date.now() > until) return hit;
    await sleep(300, signal);
  }
}

const scheduledIdOf = (e: HistoryEvent): number =>
  Number(
    String(
      e.activityTaskCompletedEventAttributes?.scheduledEventId ??
        e.activityTaskFailedEventAttributes?.scheduledEventId ??
        e.activityTaskTimedOutEventAttributes?.scheduledEventId ??
        0,
    ),
  );

/** "18:42:31 (in 12 s)" */
export function clockIn(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  const secs = Math.max(0, Math.round((at.getTime() - now) / 1000));
  return `${at.toISOString().slice(11, 19)} UTC (in ${secs} s)`;
}

/** The workflow task that failed before completes now (on the run watched). */
async function taskCompletes(
  h: TemporalHandle,
  before: Evidence,
  opts: CheckOptions,
  kind: CheckKind,
): Promise<CheckResult> {
  const workflowId = before.desc.workflowId;
  const runId = opts.newRunId ?? before.desc.runId;
  // On the run a reset made, only events after the reset point are new; on the same run only events after the last failure.
  const after = opts.newRunId
    ? (opts.resetEventId ?? 0)
    : Math.max(0, ...before.failures.filter((f) => f.kind === 'WorkflowTaskFailed').map((f) => f.eventId));
  const which = opts.newRunId ? `the new run ${runId} (after the reset)` : `run ${runId}`;
  opts.progress?.(`waiting for a workflow task of ${which} to complete…`);
  const done = await poll(Date.now() + opts.timeoutMs, opts.signal, async () => {
    const events = await fetchHistory(h, workflowId, runId);
    return events.find(
      (e) =>
        eventId(e) > after &&
        (eventTypeName(e) === 'WorkflowTaskCompleted' ||
          /^WorkflowExecution(Completed|Failed|TimedOut|Terminated|Canceled|ContinuedAsNew)$/.test(eventTypeName(e))),
    );
  });
  if (done) {
    const type = eventTypeName(done);
    if (type === 'WorkflowTaskCompleted')
      return result(
        kind,
        'passed',
        `a workflow task of ${which} completed (event ${done ? eventId(done) : '?'}): the workflow moved on`,
        { eventId: eventId(done), workflowId, runId },
      );
    return result(
      kind,
      type === 'WorkflowExecutionCompleted' ? 'passed' : 'failed',
      `${which} closed: ${type} (event ${eventId(done)})`,
      { eventId: eventId(done), workflowId, runId },
    );
  }
  const d = await describeWorkflow(h, workflowId, runId);
  const attempt = d.pendingWorkflowTask?.attempt;
  return result(
    kind,
    'unknown',
    `not yet known: no workflow task of ${which} completed within ${Math.round(opts.timeoutMs / 1000)} s${attempt ? ` (workflow task attempt ${attempt})` : ''}`,
    { workflowId, runId, ...(attempt ? { attempt } : {}), howToCheck: `history --id ${workflowId} --run-id ${runId}` },
  );
}

/** The failing (or never started) activity: the attempt after the fix passes. */
async function activityPasses(
  h: TemporalHandle,
  before: Evidence,
  opts: CheckOptions,
  kind: CheckKind,
): Promise<CheckResult> {
  const { workflowId, runId } = before.desc;
  const target = before.desc.pendingActivities.find((a) => a.lastFailure) ?? before.desc.pendingActivities[0];
  if (!target)
    return result(kind, 'unknown', 'not yet known: no pending activity to watch', {
      workflowId,
      runId,
      howToCheck: `describe --id ${workflowId}`,
    });
  const events0 = await fetchHistory(h, workflowId, runId);
  const scheduled = events0.find((e) => e.activityTaskScheduledEventAttributes?.activityId === target.activityId);
  const sid = scheduled ? eventId(scheduled) : -1;
  // The attempt that runs the fixed code: the one after the attempt seen now (the fix is in place).
  const now0 = (await describeWorkflow(h, workflowId, runId)).pendingActivities.find(
    (a) => a.activityId === target.activityId,
  );
  const fixedFrom = (now0?.attempt ?? target.attempt) + (now0?.state === 'STARTED' ? 1 : 0);
  const nextAt = now0?.nextAttemptScheduleTime;
  // Wait at least until the next attempt is due, plus time for it to run.
  const until = Math.max(Date.now() + opts.timeoutMs, nextAt ? Date.parse(nextAt) + 15_000 : 0);
  opts.progress?.(
    `waiting for activity ${target.activityType}'s attempt ${fixedFrom}${nextAt ? `: next attempt at ${clockIn(nextAt)}` : ''}…`,
  );
  let latest: PendingActivity | undefined;
  const closed = await poll(until, opts.signal, async () => {
    const hit = (await fetchHistory(h, workflowId, runId)).find((e) => scheduledIdOf(e) === sid);
    if (hit) return hit;
    latest = (await describeWorkflow(h, workflowId, runId)).pendingActivities.find(
      (a) => a.activityId === target.activityId,
    );
    // An attempt after the fix failed: its error is new evidence, not the old one.
    if (latest && latest.attempt > fixedFrom && latest.lastFailure) return null;
    return undefined;
  });
  if (closed && eventTypeName(closed) === 'ActivityTaskCompleted') {
    const started = (await fetchHistory(h, workflowId, runId)).find(
      (e) => Number(String(e.activityTaskStartedEventAttributes?.scheduledEventId ?? 0)) === sid,
    );
    const attempt = Number(started?.activityTaskStartedEventAttributes?.attempt ?? 0) || undefined;
    const end = await awaitCloseEvent(h, workflowId, runId, Date.now() + 15_000, opts.signal);
    return result(
      kind,
      'passed',
      `activity ${target.activityType} passed${attempt ? ` on attempt ${attempt}` : ''} (event ${eventId(closed)} ActivityTaskCompleted, run ${runId}); the workflow ${end ? `is ${end.status}` : 'runs on'}`,
      { eventId: eventId(closed), workflowId, runId, ...(attempt ? { attempt } : {}) },
    );
  }
  if (closed)
    return result(
      kind,
      'failed',
      `activity ${target.activityType} failed for good (event ${eventId(closed)} ${eventTypeName(closed)})`,
      { eventId: eventId(closed), workflowId, runId },
    );
  if (closed === null && latest) {
    return result(
      kind,
      'failed',
      `activity ${target.activityType} attempt ${latest.attempt - 1} (after the fix) failed too: ${latest.lastFailure}`,
      { attempt: latest.attempt - 1, workflowId, runId },
    );
  }
  const due = latest?.nextAttemptScheduleTime ?? nextAt;
  return result(
    kind,
    'unknown',
    `not yet known: activity ${target.activityType}'s attempt after the fix has not finished${due ? `; next attempt at ${clockIn(due)}` : ''}`,
    { workflowId, runId, howToCheck: `describe --id ${workflowId}` },
  );
}

/** Work nobody picked up (a scheduled activity or workflow task) is picked up now. */
async function workPickedUp(
  h: TemporalHandle,
  before: Evidence,
  opts: CheckOptions,
  kind: CheckKind,
): Promise<CheckResult> {
  const { workflowId, runId } = before.desc;
  const waiting = before.desc.pendingActivities.find((a) => a.state === 'SCHEDULED' && !a.lastStartedTime);
  if (waiting)
    return activityPasses(h, { ...before, desc: { ...before.desc, pendingActivities: [waiting] } }, opts, kind);
  // Events after the diagnosis count (the history as it was then ended at its length): the new
  // worker may have picked the task up before this check even started.
  const base = before.desc.historyLength;
  opts.progress?.(`waiting for a worker to pick up ${workflowId}'s workflow task…`);
  const picked = await poll(Date.now() + opts.timeoutMs, opts.signal, async () =>
    (await fetchHistory(h, workflowId, runId)).find(
      (e) => eventId(e) > base && /^WorkflowTask(Started|Completed)$/.test(eventTypeName(e)),
    ),
  );
  if (picked)
    return result(
      kind,
      'passed',
      `a worker picked up the workflow task (event ${eventId(picked)} ${eventTypeName(picked)}, run ${runId})`,
      { eventId: eventId(picked), workflowId, runId },
    );
  const d = await describeWorkflow(h, workflowId, runId);
  if (!d.pendingWorkflowTask && d.pendingActivities.length === 0) {
    return result(
      kind,
      'unknown',
      `not yet known: ${workflowId} has no work pending (it waits for a signal, update or timer), so there is nothing to pick up yet`,
      { workflowId, runId, howToCheck: `task-queue ${d.taskQueue}` },
    );
  }
  return result(
    kind,
    'unknown',
    `not yet known: nothing picked up ${workflowId}'s pending work within ${Math.round(opts.timeoutMs / 1000)} s`,
    { workflowId, runId, howToCheck: `task-queue ${d.taskQueue}` },
  );
}

async function newRun(h: TemporalHandle, before: Evidence, opts: CheckOptions, kind: CheckKind): Promise<CheckResult> {
  const id = opts.newWorkflowId;
  if (!id || id === before.desc.workflowId)
    return result(kind, 'unknown', 'not yet known: no new workflow was started', { howToCheck: 'recent' });
  opts.progress?.(`waiting for the new workflow ${id} to close…`);
  const close = await awaitCloseEvent(h, id, undefined, Date.now() + opts.timeoutMs, opts.signal);
  if (close?.status === 'COMPLETED')
    return result(kind, 'passed', `the new workflow ${id} COMPLETED (event ${close.eventId})`, {
      workflowId: id,
      eventId: close.eventId,
    });
  if (close)
    return result(kind, 'failed', `the new workflow ${id} closed as ${close.status} (event ${close.eventId})`, {
      workflowId: id,
      eventId: close.eventId,
    });
  return result(
    kind,
    'unknown',
    `not yet known: the new workflow ${id} is still RUNNING after ${Math.round(opts.timeoutMs / 1000)} s`,
    { workflowId: id, howToCheck: `diagnose --id ${id}` },
  );
}

export async function runCheck(
  kind: CheckKind,
  h: TemporalHandle,
  before: Evidence,
  opts: CheckOptions,
): Promise<CheckResult> {
  switch (kind) {
    case 'task-completes':
      return taskCompletes(h, before, opts, kind);
    case 'activity-passes':
      return activityPasses(h, before, opts, kind);
    case 'work-picked-up':
      return workPickedUp(h, before, opts, kind);
    case 'new-run':
      return newRun(h, before, opts, kind);
  }
}
