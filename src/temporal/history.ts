// Workflow history: read it whole (paginated), follow it as it grows, turn events into one-line
// summaries, and pick out every failure in order.
import type { temporal } from '@temporalio/proto';
import type { TemporalHandle } from './connection.js';
import { isDeadlineExceeded, mapTemporalError } from './errors.js';
import { tsToIso } from './time.js';
import { enumName, loadEnums } from './enums.js';
import { failureChain, type FailureLink } from './workflows.js';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function pascal(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('');
}

/** "WorkflowTaskFailed" for EVENT_TYPE_WORKFLOW_TASK_FAILED. */
export function eventTypeName(event: HistoryEvent): string {
  return pascal(enumName(event.eventType, 'EVENT_TYPE_'));
}

export const causeName = (value: unknown): string => enumName(value, 'WORKFLOW_TASK_FAILED_CAUSE_');

export const timeoutTypeName = (value: unknown): string => enumName(value, 'TIMEOUT_TYPE_');

export const retryStateName = (value: unknown): string => enumName(value, 'RETRY_STATE_');

export function eventId(event: HistoryEvent): number {
  return Number(String(event.eventId ?? 0));
}

export function eventTimeIso(event: HistoryEvent): string {
  return tsToIso(event.eventTime) ?? '';
}

/** Every event of a run, following pages. */
export async function fetchHistory(
  h: TemporalHandle,
  workflowId: string,
  runId?: string,
  signal?: AbortSignal,
): Promise<HistoryEvent[]> {
  await loadEnums();
  const events: HistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  try {
    do {
      const call = () =>
        h.connection.workflowService.getWorkflowExecutionHistory({
          namespace: h.namespace,
          execution: { workflowId, runId: runId ?? '' },
          maximumPageSize: 1000,
          nextPageToken,
        });
      const res = signal ? await h.connection.withAbortSignal(signal, call) : await call();
      events.push(...(res.history?.events ?? []));
      nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    } while (nextPageToken);
  } catch (err) {
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
  }
  return events;
}

/**
 * Streams new events as the server writes them (long-poll with waitNewEvent), starting after
 * `afterEventId`, until the workflow closes, the deadline passes or the signal aborts.
 */
export async function followHistory(
  h: TemporalHandle,
  workflowId: string,
  runId: string,
  afterEventId: number,
  onEvent: (e: HistoryEvent) => void,
  opts: { signal: AbortSignal; deadline: number },
): Promise<void> {
  await loadEnums();
  let last = afterEventId;
  while (Date.now() < opts.deadline && !opts.signal.aborted) {
    let nextPageToken: Uint8Array | undefined;
    let closed = false;
    let gotNew = false;
    do {
      let res: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;
      try {
        res = await h.connection.withAbortSignal(opts.signal, () =>
          h.connection.withDeadline(Math.min(opts.deadline, Date.now() + 30_000), () =>
            h.connection.workflowService.getWorkflowExecutionHistory({
              namespace: h.namespace,
              execution: { workflowId, runId },
              waitNewEvent: gotNew ? false : true,
              nextPageToken,
            }),
          ),
        );
      } catch (err) {
        // Past its deadline the call ends as DEADLINE_EXCEEDED, or as CANCELLED when the deadline had
        // already passed as it started (a slow first read under load): either way following is over.
        if (isDeadlineExceeded(err) || Date.now() >= opts.deadline) break;
        if (opts.signal.aborted) return;
        throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
      }
      for (const e of res.history?.events ?? []) {
        if (eventId(e) <= last) continue;
        last = eventId(e);
        gotNew = true;
        onEvent(e);
        if (/^WorkflowExecution(Completed|Failed|TimedOut|Canceled|Terminated|ContinuedAsNew)$/.test(eventTypeName(e)))
          closed = true;
      }
      nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
    } while (nextPageToken);
    if (closed) return;
  }
}

const NOT_USER_CODE = /site-packages|dist-packages|\/temporalio\/|<frozen |\/lib\/python\d/;

/**
 * A workflow's stack (the `__stack_trace` query), one block per asyncio task: the task answering
 * the query itself is left out, the project's own frames are kept, and each run of SDK, asyncio and
 * interpreter frames becomes one line that says how many there were.
 */
export function foldStack(text: string): { text: string; folded: number } {
  const blocks = text.split(/\n(?=Stack for <Task )/);
  const out: string[] = [];
  let folded = 0;
  for (const block of blocks) {
    if (/^Stack for <Task [^\n]*name='query: __stack_trace/.test(block)) continue;
    const lines = block.split('\n');
    const kept: string[] = [];
    let run = 0;
    const flush = () => {
      if (run) kept.push(`    … ${run} SDK/asyncio frame${run === 1 ? '' : 's'}`);
      folded += run;
      run = 0;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line.trim() === '') continue;
      const m = /File "([^"]+)", line \d+/.exec(line);
      if (m && (NOT_USER_CODE.test(m[1] ?? '') || (m[1] ?? '').startsWith('<'))) {
        run++;
        const next = lines[i + 1] ?? '';
        if (next.trim() && !/File "/.test(next) && /^\s{4,}/.test(next)) i++; // its source line
        continue;
      }
      flush();
      // The task line names the workflow; the coroutine's SDK path in it says nothing more.
      kept.push(i === 0 ? line.replace(/ coro=<[^>]*running at [^>]*>/, '') : line);
    }
    flush();
    out.push(kept.join('\n'));
  }
  return { text: out.join('\n\n'), folded };
}

/** Frames of the user's code only: no SDK, site-packages or interpreter frames. */
export function userFrames(stackTrace: string | null | undefined, projectDir?: string): string[] {
  if (!stackTrace) return [];
  const lines = stackTrace.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = /File "([^"]+)", line (\d+), in (.+)/.exec(line);
    if (!m) continue;
    const file = m[1] ?? '';
    if (NOT_USER_CODE.test(file)) continue;
    if (projectDir && file.startsWith('/') && !file.startsWith(projectDir) && !file.includes('/src/')) continue;
    const code = (lines[i + 1] ?? '').trim();
    out.push(`${file}:${m[2]} in ${m[3]}${code && !code.startsWith('File "') ? `: ${code}` : ''}`);
  }
  return out;
}

export interface FailureRecord {
  eventId: number;
  time: string;
  kind: string;
  message: string;
  cause?: string;
  failure?: FailureLink[];
  activityType?: string;
  attempt?: number;
  retryState?: string;
  timeoutType?: string;
  frames?: string[];
  identity?: string;
}

/** Every failure in the history, in order. */
export function failuresIn(events: HistoryEvent[], projectDir?: string): FailureRecord[] {
  const scheduled = new Map<number, string>();
  const startedAttempt = new Map<number, number>();
  const out: FailureRecord[] = [];
  for (const e of events) {
    const id = eventId(e);
    const base = { eventId: id, time: eventTimeIso(e), kind: eventTypeName(e) };
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '');
    if (e.activityTaskStartedEventAttributes)
      startedAttempt.set(
        Number(String(e.activityTaskStartedEventAttributes.scheduledEventId ?? 0)),
        e.activityTaskStartedEventAttributes.attempt ?? 0,
      );
    const wtf = e.workflowTaskFailedEventAttributes;
    if (wtf) {
      const cause = causeName(wtf.cause);
      if (cause === 'UNHANDLED_COMMAND' || cause === 'RESET_STICKY_TASK_QUEUE' || cause === 'RESET_WORKFLOW') continue; // routine, not a fault
      out.push({
        ...base,
        cause,
        message: wtf.failure?.message ?? '',
        failure: failureChain(wtf.failure),
        frames: userFrames(wtf.failure?.stackTrace, projectDir),
        identity: wtf.identity ?? undefined,
      });
    }
    const wtt = e.workflowTaskTimedOutEventAttributes;
    if (wtt)
      out.push({
        ...base,
        message: `workflow task timed out (${timeoutTypeName(wtt.timeoutType)})`,
        timeoutType: timeoutTypeName(wtt.timeoutType),
      });
    const atf = e.activityTaskFailedEventAttributes;
    if (atf) {
      const sid = Number(String(atf.scheduledEventId ?? 0));
      out.push({
        ...base,
        activityType: scheduled.get(sid),
        attempt: startedAttempt.get(sid),
        retryState: retryStateName(atf.retryState),
        message: atf.failure?.message ?? '',
        failure: failureChain(atf.failure),
        frames: userFrames(atf.failure?.stackTrace, projectDir),
        identity: atf.identity ?? undefined,
      });
    }
    const att = e.activityTaskTimedOutEventAttributes;
    if (att) {
      const sid = Number(String(att.scheduledEventId ?? 0));
      const tt = att.failure?.timeoutFailureInfo?.timeoutType;
      out.push({
        ...base,
        activityType: scheduled.get(sid),
        attempt: startedAttempt.get(sid),
        retryState: retryStateName(att.retryState),
        timeoutType: tt !== undefined && tt !== null ? timeoutTypeName(tt) : undefined,
        message: att.failure?.message ?? 'activity timed out',
        failure: failureChain(att.failure),
      });
    }
    const wf = e.workflowExecutionFailedEventAttributes;
    if (wf)
      out.push({
        ...base,
        message: wf.failure?.message ?? '',
        failure: failureChain(wf.failure),
        retryState: retryStateName(wf.retryState),
        frames: userFrames(wf.failure?.stackTrace, projectDir),
      });
    if (e.workflowExecutionTimedOutEventAttributes) out.push({ ...base, message: 'workflow execution timed out' });
    const term = e.workflowExecutionTerminatedEventAttributes;
    if (term)
      out.push({
        ...base,
        message: `terminated${term.reason ? `: ${term.reason}` : ''}`,
        identity: term.identity ?? undefined,
      });
    if (e.workflowExecutionCanceledEventAttributes) out.push({ ...base, message: 'canceled' });
  }
  return out;
}

/** A one-line description of an event for the compact history table. */
export function eventDetail(e: HistoryEvent): string {
  const a = e.workflowExecutionStartedEventAttributes
    ? `${e.workflowExecutionStartedEventAttributes.workflowType?.name ?? ''} on ${e.workflowExecutionStartedEventAttributes.taskQueue?.name ?? ''}`
    : e.activityTaskScheduledEventAttributes
      ? `${e.activityTaskScheduledEventAttributes.activityType?.name ?? ''} (id ${e.activityTaskScheduledEventAttributes.activityId ?? ''})`
      : e.activityTaskStartedEventAttributes
        ? `attempt ${e.activityTaskStartedEventAttributes.attempt ?? 1}${e.activityTaskStartedEventAttributes.identity ? `, ${e.activityTaskStartedEventAttributes.identity}` : ''}`
        : e.activityTaskFailedEventAttributes
          ? `${e.activityTaskFailedEventAttributes.failure?.message ?? ''} (${retryStateName(e.activityTaskFailedEventAttributes.retryState)})`
          : e.activityTaskTimedOutEventAttributes
            ? `${e.activityTaskTimedOutEventAttributes.failure?.message ?? ''}`
            : e.workflowTaskFailedEventAttributes
              ? `${causeName(e.workflowTaskFailedEventAttributes.cause)}: ${(e.workflowTaskFailedEventAttributes.failure?.message ?? '').split('\n')[0]}`
              : e.workflowTaskStartedEventAttributes
                ? `${e.workflowTaskStartedEventAttributes.identity ?? ''}`
                : e.timerStartedEventAttributes
                  ? `timer ${e.timerStartedEventAttributes.timerId ?? ''} for ${Number(String(e.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0))}s`
                  : e.workflowExecutionSignaledEventAttributes
                    ? `${e.workflowExecutionSignaledEventAttributes.signalName ?? ''}`
                    : e.workflowExecutionUpdateAcceptedEventAttributes
                      ? `${e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest?.input?.name ?? ''}`
                      : e.workflowExecutionFailedEventAttributes
                        ? `${e.workflowExecutionFailedEventAttributes.failure?.message ?? ''}`
                        : e.workflowExecutionTerminatedEventAttributes
                          ? `${e.workflowExecutionTerminatedEventAttributes.reason ?? ''}`
                          : e.workflowExecutionContinuedAsNewEventAttributes
                            ? `new run ${e.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? ''}`
                            : '';
  const flat = a.replace(/\s+/g, ' ');
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}
