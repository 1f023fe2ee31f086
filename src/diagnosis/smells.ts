// Configuration smells, read from the history's own attributes: settings that are not failing the
// workflow now but will cost the developer later. Each becomes an advisory finding with its evidence and
// the change to make.
import { eventId, eventTypeName, type HistoryEvent } from '../temporal/history.js';
import type { WorkflowDescription } from '../temporal/workflows.js';

export interface Smell {
  kind: 'heartbeat-timeout-unused' | 'start-to-close-missing' | 'retries-of-permanent-error' | 'workflow-task-timeouts' | 'history-too-large' | 'payload-near-limit';
  text: string;
  eventId?: number;
  /** What to change. */
  change: string;
}

/** Errors the project's code raises that no retry can fix. */
const PERMANENT = /^(TypeError|KeyError|AttributeError|NameError|ImportError|ModuleNotFoundError|IndexError|NotImplementedError|NotFoundError)\b/;
const PAYLOAD_LIMIT = 2 * 1024 * 1024;
const HISTORY_EVENTS = 10_000;

const secs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined =>
  d ? Number(String(d.seconds ?? 0)) + (d.nanos ?? 0) / 1e9 : undefined;

function payloadBytes(e: HistoryEvent): number {
  const lists = [
    e.workflowExecutionStartedEventAttributes?.input,
    e.workflowExecutionCompletedEventAttributes?.result,
    e.activityTaskScheduledEventAttributes?.input,
    e.activityTaskCompletedEventAttributes?.result,
    e.workflowExecutionSignaledEventAttributes?.input,
  ];
  return Math.max(0, ...lists.flatMap((l) => (l?.payloads ?? []).map((p) => p.data?.length ?? 0)));
}

export function configSmells(events: HistoryEvent[], desc: WorkflowDescription): Smell[] {
  const smells: Smell[] = [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const runTimeout = secs(started?.workflowRunTimeout) || secs(started?.workflowExecutionTimeout) || undefined;
  const scheduled = new Map<number, { type: string; nonRetryable: string[]; maxAttempts: number }>();
  let wftTimeouts = 0;
  let firstWftTimeout: number | undefined;
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '';
      scheduled.set(eventId(e), { type, nonRetryable: s.retryPolicy?.nonRetryableErrorTypes ?? [], maxAttempts: s.retryPolicy?.maximumAttempts ?? 0 });
      const stc = secs(s.startToCloseTimeout);
      if (!stc) {
        smells.push({ kind: 'start-to-close-missing', eventId: eventId(e), text: `activity ${type} has no start-to-close timeout: a hung attempt is only noticed when schedule-to-close ends all retries`, change: 'set start_to_close_timeout on the execute_activity call' });
      } else if (runTimeout && stc > runTimeout) {
        smells.push({ kind: 'start-to-close-missing', eventId: eventId(e), text: `activity ${type}'s start-to-close (${stc} s) is longer than the workflow's own timeout (${runTimeout} s)`, change: 'make start_to_close_timeout shorter than the workflow run timeout' });
      }
    }
    const t = e.activityTaskTimedOutEventAttributes;
    if (t && /HEARTBEAT/.test(String(t.failure?.timeoutFailureInfo?.timeoutType ?? ''))) {
      const sid = Number(String(t.scheduledEventId ?? 0));
      smells.push({ kind: 'heartbeat-timeout-unused', eventId: eventId(e), text: `activity ${scheduled.get(sid)?.type ?? ''} timed out on its heartbeat: it has a heartbeat timeout but does not heartbeat (often enough)`, change: 'call activity.heartbeat() inside the activity, or drop heartbeat_timeout' });
    }
    if (eventTypeName(e) === 'WorkflowTaskTimedOut') {
      wftTimeouts++;
      firstWftTimeout ??= eventId(e);
    }
    const bytes = payloadBytes(e);
    if (bytes > PAYLOAD_LIMIT * 0.75) {
      smells.push({ kind: 'payload-near-limit', eventId: eventId(e), text: `a ${eventTypeName(e)} payload is ${(bytes / 1024 / 1024).toFixed(1)} MB (the server refuses 2 MB)`, change: 'pass a reference (a key, a URL) instead of the data' });
    }
  }
  if (wftTimeouts >= 2) {
    smells.push({ kind: 'workflow-task-timeouts', eventId: firstWftTimeout, text: `${wftTimeouts} workflow tasks timed out: the worker is too slow or blocked (the history collapses repeats, so there were probably more)`, change: 'look for blocking calls in workflow code, or a worker with too little CPU' });
  }
  if (desc.historyLength > HISTORY_EVENTS) {
    smells.push({ kind: 'history-too-large', text: `the history has ${desc.historyLength} events: long histories slow every replay and end at 51,200`, change: 'continue-as-new (workflow.continue_as_new) every few thousand events' });
  }
  for (const a of desc.pendingActivities) {
    const type = (a.lastFailure ?? '').split(':')[0] ?? '';
    if (a.attempt < 3 || a.maximumAttempts !== 0 || !PERMANENT.test(a.lastFailure ?? '')) continue;
    const policy = [...scheduled.values()].find((x) => x.type === a.activityType);
    if (policy && policy.nonRetryable.length) continue;
    smells.push({ kind: 'retries-of-permanent-error', text: `activity ${a.activityType} retries ${type} forever (attempt ${a.attempt}, no maximum): an error from the code itself will not pass on a retry`, change: `add "${type}" to the retry policy's non_retryable_error_types, or raise ApplicationError(non_retryable=True)` });
  }
  return smells;
}
