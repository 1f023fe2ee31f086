// Configuration smells, read from the history's own attributes: settings that are not failing the
// workflow now but will cost the developer later. Each becomes an advisory finding with its evidence and
// the change to make.
import { eventId, eventTypeName, type HistoryEvent } from '../temporal/history.js';
import type { WorkflowDescription } from '../temporal/workflows.js';
import { enumName } from '../temporal/enums.js';
import { durationSeconds } from '../temporal/time.js';

export interface Smell {
  kind:
    | 'heartbeat-timeout-unused'
    | 'start-to-close-missing'
    | 'retries-of-permanent-error'
    | 'workflow-task-timeouts'
    | 'history-too-large'
    | 'payload-near-limit';
  text: string;
  eventId?: number;
  /** What to change. */
  change: string;
}

/** Errors the project's code raises that no retry can fix. */
const PERMANENT =
  /^(TypeError|KeyError|AttributeError|NameError|ImportError|ModuleNotFoundError|IndexError|NotImplementedError|NotFoundError)\b/;
const PAYLOAD_LIMIT = 2 * 1024 * 1024;
const HISTORY_EVENTS = 10_000;
const HISTORY_BYTES = 40 * 1024 * 1024;

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
  const runTimeout =
    durationSeconds(started?.workflowRunTimeout) || durationSeconds(started?.workflowExecutionTimeout) || undefined;
  const scheduled = new Map<number, { type: string; nonRetryable: string[]; maxAttempts: number }>();
  let wftTimeouts = 0;
  let firstWftTimeout: number | undefined;
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '';
      scheduled.set(eventId(e), {
        type,
        nonRetryable: s.retryPolicy?.nonRetryableErrorTypes ?? [],
        maxAttempts: s.retryPolicy?.maximumAttempts ?? 0,
      });
      // The server fills what the code left out: start-to-close copied from schedule-to-close, and
      // both cut down to the run timeout. So "missing" and "longer than the run" read as equal values.
      const stc = durationSeconds(s.startToCloseTimeout);
      const s2c = durationSeconds(s.scheduleToCloseTimeout);
      if (stc && runTimeout && stc >= runTimeout) {
        smells.push({
          kind: 'start-to-close-missing',
          eventId: eventId(e),
          text: `activity ${type} may take as long as the whole workflow run: its start-to-close is the run timeout (${runTimeout} s; the server cuts a longer or missing one to it), so one hung attempt uses all of it`,
          change: `set start_to_close_timeout on the ${type} call to what one attempt needs`,
        });
      } else if (stc && s2c && stc === s2c) {
        smells.push({
          kind: 'start-to-close-missing',
          eventId: eventId(e),
          text: `activity ${type} has no start-to-close timeout of its own (it equals schedule-to-close, ${s2c} s): a hung attempt is noticed only when all retries' time is gone`,
          change: `set start_to_close_timeout on the ${type} call to what one attempt needs`,
        });
      }
    }
    const t = e.activityTaskTimedOutEventAttributes;
    if (t && enumName(t.failure?.timeoutFailureInfo?.timeoutType, 'TIMEOUT_TYPE_') === 'HEARTBEAT') {
      const sid = Number(String(t.scheduledEventId ?? 0));
      smells.push({
        kind: 'heartbeat-timeout-unused',
        eventId: eventId(e),
        text: `activity ${scheduled.get(sid)?.type ?? ''} timed out on its heartbeat: it has a heartbeat timeout but does not heartbeat (often enough)`,
        change: 'call activity.heartbeat() inside the activity, or drop heartbeat_timeout',
      });
    }
    if (eventTypeName(e) === 'WorkflowTaskTimedOut') {
      wftTimeouts++;
      firstWftTimeout ??= eventId(e);
    }
    const bytes = payloadBytes(e);
    if (bytes > PAYLOAD_LIMIT * 0.75) {
      smells.push({
        kind: 'payload-near-limit',
        eventId: eventId(e),
        text: `a ${eventTypeName(e)} payload is ${(bytes / 1024 / 1024).toFixed(1)} MB (the server refuses 2 MB)`,
        change: 'pass a reference (a key, a URL) instead of the data',
      });
    }
  }
  // After the first failed or timed-out task the server stops writing retries into the history:
  // describe's pending task attempt counts them.
  const lastWft = [...events].reverse().find((e) => /^WorkflowTask(Completed|Failed|TimedOut)$/.test(eventTypeName(e)));
  const retrying =
    lastWft && eventTypeName(lastWft) === 'WorkflowTaskTimedOut'
      ? Math.max(0, (desc.pendingWorkflowTask?.attempt ?? 1) - 2)
      : 0;
  const timeouts = wftTimeouts + retrying;
  if (timeouts >= 2) {
    smells.push({
      kind: 'workflow-task-timeouts',
      eventId: firstWftTimeout,
      text: `${timeouts} workflow tasks timed out: the worker is too slow or blocked (the history collapses repeats, so there were probably more)`,
      change: 'look for blocking calls in workflow code, or a worker with too little CPU',
    });
  }
  const bytes = desc.historySizeBytes ?? 0;
  if (desc.historyLength > HISTORY_EVENTS || bytes > HISTORY_BYTES) {
    const size =
      bytes > HISTORY_BYTES
        ? `${(bytes / 1024 / 1024).toFixed(1)} MB (the server ends a run at 50 MB)`
        : `${desc.historyLength} events`;
    smells.push({
      kind: 'history-too-large',
      text: `the history has ${size} and no continue-as-new: long histories slow every replay and end at 51,200 events`,
      change: 'continue-as-new (workflow.continue_as_new) every few thousand events',
    });
  }
  for (const a of desc.pendingActivities) {
    const type = (a.lastFailure ?? '').split(':')[0] ?? '';
    if (a.attempt < 3 || a.maximumAttempts !== 0 || !PERMANENT.test(a.lastFailure ?? '')) continue;
    const policy = [...scheduled.values()].find((x) => x.type === a.activityType);
    if (policy && policy.nonRetryable.length) continue;
    smells.push({
      kind: 'retries-of-permanent-error',
      text: `activity ${a.activityType} retries ${type} forever (attempt ${a.attempt}, no maximum): an error from the code itself will not pass on a retry`,
      change: `add "${type}" to the retry policy's non_retryable_error_types, or raise ApplicationError(non_retryable=True)`,
    });
  }
  return smells;
}
