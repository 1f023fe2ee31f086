// Rows for activities and the task queue: registration, timeouts, retries, who polls.
import { FAILING_AFTER_ATTEMPT } from './stalled.js';
import { activityCode, queueCode } from './code-evidence.js';
import type { Rule } from './rule-evidence.js';
import { activityLogItem, fromHistory, neverStarted, NOT_REGISTERED_ACT } from './rule-evidence.js';

export const ACTIVITY_AND_QUEUE_RULES: Rule[] = [
  {
    class: 'activity-not-registered',
    match: (ev) => {
      const pending = ev.desc.pendingActivities.find((a) => NOT_REGISTERED_ACT.test(a.lastFailure ?? ''));
      if (pending)
        return {
          summary: `the worker does not register activity ${pending.activityType} (retried until it is)`,
          evidence: [
            {
              source: 'describe',
              text: `activity ${pending.activityType}, attempt ${pending.attempt}: ${pending.lastFailure}`,
            },
            ...activityLogItem(ev, pending.activityId),
            ...activityCode(ev, pending.activityType),
          ],
        };
      const f = ev.failures.find((x) => x.kind === 'ActivityTaskFailed' && NOT_REGISTERED_ACT.test(x.message));
      if (f)
        return {
          summary: `the worker does not register activity ${f.activityType ?? ''}`,
          evidence: [fromHistory(f), ...activityCode(ev, f.activityType ?? '')],
        };
      // A worker polls the queue for workflow tasks but for no activity at all: it registers none.
      const idle =
        ev.desc.status === 'RUNNING' && ev.workflowPollers > 0
          ? ev.desc.pendingActivities.find(
              (a) =>
                neverStarted(a) &&
                (a.taskQueue ?? ev.desc.taskQueue) === ev.desc.taskQueue &&
                (ev.activityPollers[ev.desc.taskQueue] ?? 0) === 0,
            )
          : undefined;
      return (
        idle && {
          summary: `a worker polls ${ev.desc.taskQueue} for workflow tasks but registers no activities: activity ${idle.activityType} waits, never started`,
          evidence: [
            {
              source: 'pollers',
              text: `${ev.workflowPollers} workflow poller(s), 0 activity pollers on ${ev.desc.taskQueue}`,
            },
            {
              source: 'describe',
              text: `${idle.activityType} scheduled${idle.scheduledTime ? ` at ${idle.scheduledTime}` : ''}, never started`,
            },
            ...activityCode(ev, idle.activityType),
          ],
        }
      );
    },
  },
  {
    class: 'activity-timeout',
    match: (ev) => {
      const f = ev.failures.find((x) => x.kind === 'ActivityTaskTimedOut');
      if (f)
        return {
          summary: `activity ${f.activityType ?? ''} timed out (${f.timeoutType ?? 'timeout'}) and was not retried further`,
          evidence: [fromHistory(f)],
        };
      const a = ev.desc.pendingActivities.find((x) => x.attempt > 1 && /^Timeout\(/.test(x.lastFailure ?? ''));
      return (
        a && {
          summary: `activity ${a.activityType} keeps timing out (attempt ${a.attempt})`,
          evidence: [{ source: 'describe', text: `${a.activityType}: ${a.lastFailure}` }],
        }
      );
    },
  },
  {
    class: 'activity-retries-exhausted',
    match: (ev) => {
      const f = ev.failures.find(
        (x) =>
          x.kind === 'ActivityTaskFailed' &&
          (x.retryState === 'MAXIMUM_ATTEMPTS_REACHED' || x.retryState === 'NON_RETRYABLE_FAILURE'),
      );
      return (
        f && {
          summary: `activity ${f.activityType ?? ''} failed for good (${f.retryState}): ${f.message.split('\n')[0]}`,
          evidence: [fromHistory(f)],
        }
      );
    },
  },
  {
    class: 'activity-failing',
    match: (ev) => {
      const a = ev.desc.pendingActivities.find((x) => x.attempt > FAILING_AFTER_ATTEMPT && x.lastFailure);
      return (
        a && {
          summary: `activity ${a.activityType} keeps failing (attempt ${a.attempt}): ${a.lastFailure}`,
          evidence: [
            {
              source: 'describe',
              text: `${a.activityType} attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}: ${a.lastFailure}`,
            },
            ...activityLogItem(ev, a.activityId),
          ],
        }
      );
    },
  },
  {
    class: 'task-queue-mismatch',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING' || ev.workflowPollers > 0) return undefined;
      const w = ev.workers.find((x) => x.taskQueue && x.taskQueue !== ev.desc.taskQueue);
      return (
        w && {
          summary: `the workflow waits on task queue ${ev.desc.taskQueue}, the project's worker polls ${w.taskQueue}`,
          evidence: [
            { source: 'pollers', text: `no poller on ${ev.desc.taskQueue}` },
            {
              source: 'process',
              text: `worker pid ${w.pid}${w.startedByTshell ? '' : ' (not started by tshell)'} polls ${w.taskQueue}`,
            },
            ...queueCode(ev),
          ],
        }
      );
    },
  },
  {
    class: 'no-worker',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING') return undefined;
      if (ev.workflowPollers === 0 && !ev.workers.some((w) => w.taskQueue && w.taskQueue !== ev.desc.taskQueue)) {
        return {
          summary: `no worker polls task queue ${ev.desc.taskQueue}`,
          evidence: [{ source: 'pollers', text: `0 live workflow pollers on ${ev.desc.taskQueue}` }],
        };
      }
      // (a worker that polls the workflow's own queue but registers no activities is activity-not-registered)
      const a = ev.desc.pendingActivities.find(
        (x) =>
          neverStarted(x) &&
          (ev.activityPollers[x.taskQueue ?? ev.desc.taskQueue] ?? 0) === 0 &&
          (ev.workflowPollers === 0 || (x.taskQueue ?? ev.desc.taskQueue) !== ev.desc.taskQueue),
      );
      return (
        a && {
          summary: `activity ${a.activityType} waits on task queue ${a.taskQueue ?? ev.desc.taskQueue}, which no worker polls for activities`,
          evidence: [
            { source: 'describe', text: `${a.activityType} scheduled, never started` },
            { source: 'pollers', text: `0 activity pollers on ${a.taskQueue ?? ev.desc.taskQueue}` },
          ],
        }
      );
    },
  },
  {
    class: 'stale-worker',
    match: (ev) => {
      if (ev.workers.length > 1)
        return {
          summary: `${ev.workers.length} workers of this project are running`,
          evidence: ev.workers.map((w) => ({ source: 'process' as const, text: `worker pid ${w.pid}` })),
        };
      const w = ev.workers[0];
      return w && ev.newestSourceMs && ev.newestSourceMs > w.startedAtMs + 1000
        ? {
            summary: `the worker (pid ${w.pid}) runs code older than the project's newest .py file`,
            evidence: [
              {
                source: 'process',
                text: `worker started ${new Date(w.startedAtMs).toISOString()}, source changed ${new Date(ev.newestSourceMs).toISOString()}`,
              },
            ],
          }
        : undefined;
    },
  },
];
