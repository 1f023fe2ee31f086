// Workflow reads that replace polling and text scraping: describe, wait for a status (long-poll the
// history for the close event), and the decoded result or failure of a closed workflow.
import type { temporal } from '@temporalio/proto';
import { InterruptedError, NotFoundError, TshellError, ErrorCodes } from '../errors.js';
import type { TemporalHandle } from './connection.js';
import { isDeadlineExceeded, mapTemporalError } from './errors.js';
import { tsToIso } from './time.js';
import { enumName, loadEnums, normalizeStatus } from './enums.js';
export { normalizeStatus } from './enums.js';
import type { ExecutionSummary } from './visibility.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
type Payloads = temporal.api.common.v1.IPayloads;

export interface PendingActivity {
  activityId: string;
  activityType: string;
  state: string;
  attempt: number;
  maximumAttempts: number;
  lastFailure?: string;
  lastWorkerIdentity?: string;
  scheduledTime?: string;
  lastStartedTime?: string;
  /** When the next attempt is due (while the retry delay runs). */
  nextAttemptScheduleTime?: string;
  /** When the last attempt ended. */
  lastFailureTime?: string;
  taskQueue?: string;
}

/** What describe adds to a listed execution: duration, history length and pending work. */
export interface WorkflowDescription extends ExecutionSummary {
  durationMs: number;
  historyLength: number;
  /** The history's size in bytes (the server ends a run at 50 MB). */
  historySizeBytes?: number;
  pendingActivities: PendingActivity[];
  pendingWorkflowTask?: { state: string; attempt: number };
  /** Child workflows started and not closed yet. */
  pendingChildren?: { workflowId: string; runId: string; type: string }[];
}

export function failureText(failure: Failure | null | undefined): string | undefined {
  if (!failure) return undefined;
  const chain = failureChain(failure);
  return chain.map((f) => (f.type ? `${f.type}: ${f.message}` : f.message)).join(' ← ');
}

export interface FailureLink {
  message: string;
  type?: string;
  nonRetryable?: boolean;
}

export function failureChain(failure: Failure | null | undefined): FailureLink[] {
  const out: FailureLink[] = [];
  for (let f = failure; f && out.length < 10; f = f.cause) {
    const type =
      f.applicationFailureInfo?.type ||
      (f.timeoutFailureInfo ? `Timeout(${enumName(f.timeoutFailureInfo.timeoutType, 'TIMEOUT_TYPE_')})` : undefined) ||
      (f.activityFailureInfo ? `ActivityError(${f.activityFailureInfo.activityType?.name ?? ''})` : undefined) ||
      (f.canceledFailureInfo ? 'Canceled' : undefined) ||
      (f.terminatedFailureInfo ? 'Terminated' : undefined) ||
      undefined;
    out.push({ message: f.message ?? '', type, nonRetryable: f.applicationFailureInfo?.nonRetryable ?? undefined });
  }
  return out;
}

export async function describeWorkflow(
  h: TemporalHandle,
  workflowId: string,
  runId?: string,
): Promise<WorkflowDescription> {
  await loadEnums();
  try {
    // The raw call: the SDK's describe() also decodes memo and search attributes, which costs
    // real time when `stalled` describes hundreds of workflows.
    const raw = await h.connection.workflowService.describeWorkflowExecution({
      namespace: h.namespace,
      execution: { workflowId, runId: runId ?? '' },
    });
    const info = raw.workflowExecutionInfo ?? {};
    const startTime = tsToIso(info.startTime) ?? new Date(0).toISOString();
    const closeTime = tsToIso(info.closeTime);
    const pwt = raw.pendingWorkflowTask;
    return {
      workflowId: info.execution?.workflowId ?? workflowId,
      runId: info.execution?.runId ?? '',
      type: info.type?.name ?? '',
      status: normalizeStatus(enumName(info.status, 'WORKFLOW_EXECUTION_STATUS_')),
      taskQueue: info.taskQueue ?? '',
      startTime,
      closeTime,
      durationMs: (closeTime ? Date.parse(closeTime) : Date.now()) - Date.parse(startTime),
      historyLength: Number(String(info.historyLength ?? 0)),
      historySizeBytes: Number(String(info.historySizeBytes ?? 0)) || undefined,
      pendingActivities: (raw.pendingActivities ?? []).map((a) => ({
        activityId: a.activityId ?? '',
        activityType: a.activityType?.name ?? '',
        state: enumName(a.state, 'PENDING_ACTIVITY_STATE_'),
        attempt: a.attempt ?? 0,
        maximumAttempts: a.maximumAttempts ?? 0,
        lastFailure: failureText(a.lastFailure),
        lastWorkerIdentity: a.lastWorkerIdentity || undefined,
        scheduledTime: tsToIso(a.scheduledTime),
        lastStartedTime: tsToIso(a.lastStartedTime),
        nextAttemptScheduleTime: tsToIso(a.nextAttemptScheduleTime),
        lastFailureTime: tsToIso(a.lastAttemptCompleteTime),
        taskQueue: a.activityOptions?.taskQueue?.name || undefined,
      })),
      pendingWorkflowTask: pwt
        ? { state: enumName(pwt.state, 'PENDING_WORKFLOW_TASK_STATE_'), attempt: pwt.attempt ?? 0 }
        : undefined,
      pendingChildren: (raw.pendingChildren ?? []).map((c) => ({
        workflowId: c.workflowId ?? '',
        runId: c.runId ?? '',
        type: c.workflowTypeName ?? '',
      })),
    };
  } catch (err) {
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
  }
}

export interface CloseInfo {
  status: string;
  eventId: number;
  closeTime?: string;
  result?: unknown;
  /** The result payloads could not be decoded as JSON (binary or encoded data). */
  undecodable?: string;
  failure?: FailureLink[];
  reason?: string;
  identity?: string;
  newRunId?: string;
}

function decodePayloads(
  payloads: Payloads | null | undefined,
  converter: { fromPayload: (p: never) => unknown },
): { value?: unknown; undecodable?: string } {
  const list = payloads?.payloads ?? [];
  if (list.length === 0) return { value: null };
  try {
    const values = list.map((p) => converter.fromPayload(p as never));
    return { value: values.length === 1 ? values[0] : values };
  } catch (err) {
    const encoding = list[0]?.metadata?.encoding;
    return {
      undecodable: `${encoding ? Buffer.from(encoding).toString() : 'unknown encoding'} (${err instanceof Error ? err.message : String(err)})`,
    };
  }
}

/** Turns a close event into its status, result or failure. */
export async function closeInfo(event: HistoryEvent): Promise<CloseInfo> {
  const { defaultPayloadConverter } = await import('@temporalio/common');
  const base = { eventId: Number(String(event.eventId ?? 0)), closeTime: tsToIso(event.eventTime) };
  if (event.workflowExecutionCompletedEventAttributes) {
    const decoded = decodePayloads(event.workflowExecutionCompletedEventAttributes.result, defaultPayloadConverter);
    return { ...base, status: 'COMPLETED', result: decoded.value, undecodable: decoded.undecodable };
  }
  if (event.workflowExecutionFailedEventAttributes) {
    return { ...base, status: 'FAILED', failure: failureChain(event.workflowExecutionFailedEventAttributes.failure) };
  }
  if (event.workflowExecutionTimedOutEventAttributes) {
    return { ...base, status: 'TIMED_OUT', failure: [{ message: 'workflow execution timed out', type: 'Timeout' }] };
  }
  if (event.workflowExecutionCanceledEventAttributes) {
    const details = decodePayloads(event.workflowExecutionCanceledEventAttributes.details, defaultPayloadConverter);
    return { ...base, status: 'CANCELED', reason: details.value ? JSON.stringify(details.value) : undefined };
  }
  if (event.workflowExecutionTerminatedEventAttributes) {
    const a = event.workflowExecutionTerminatedEventAttributes;
    return { ...base, status: 'TERMINATED', reason: a.reason ?? undefined, identity: a.identity ?? undefined };
  }
  if (event.workflowExecutionContinuedAsNewEventAttributes) {
    return {
      ...base,
      status: 'CONTINUED_AS_NEW',
      newRunId: event.workflowExecutionContinuedAsNewEventAttributes.newExecutionRunId ?? undefined,
    };
  }
  throw new TshellError(`unexpected close event ${String(event.eventType)}`, ErrorCodes.internal);
}

/**
 * Long-polls the history for the close event (HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT with
 * waitNewEvent): returns as soon as the server writes it. Re-issues the call on the server's
 * long-poll timeout; stops on the deadline or the abort signal.
 */
export async function awaitCloseEvent(
  h: TemporalHandle,
  workflowId: string,
  runId: string | undefined,
  deadline: number,
  signal: AbortSignal,
): Promise<CloseInfo | undefined> {
  let nextPageToken: Uint8Array | undefined;
  while (Date.now() < deadline) {
    // Aborted before this call listens (a 1 s --command-timeout can fire while the command still
    // loads): a gRPC call made with an aborted signal is not cancelled, so stop here.
    if (signal.aborted) throw new InterruptedError();
    const remaining = deadline - Date.now();
    let res: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse;
    try {
      res = await h.connection.withAbortSignal(signal, () =>
        h.connection.withDeadline(Date.now() + Math.min(remaining, 30_000), () =>
          h.connection.workflowService.getWorkflowExecutionHistory({
            namespace: h.namespace,
            execution: { workflowId, runId: runId ?? '' },
            waitNewEvent: true,
            historyEventFilterType: 2, // CLOSE_EVENT
            skipArchival: true,
            nextPageToken,
          }),
        ),
      );
    } catch (err) {
      // The long poll's own deadline passed: poll again until the caller's deadline.
      if (isDeadlineExceeded(err)) {
        if (Date.now() < deadline) continue;
        return undefined;
      }
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
    }
    const close = res.history?.events?.[0];
    if (close) return closeInfo(close);
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
  }
  return undefined;
}

/** The close event of a closed workflow (no waiting). */
export async function fetchCloseEvent(
  h: TemporalHandle,
  workflowId: string,
  runId?: string,
): Promise<CloseInfo | undefined> {
  return awaitCloseEvent(h, workflowId, runId, Date.now() + 5000, new AbortController().signal);
}

export interface StartedWith {
  type: string;
  taskQueue: string;
  input: unknown[];
  executionTimeoutMs?: number;
}

/** How a workflow was started (type, task queue, decoded input): what `start --like` repeats. */
export async function startedWith(h: TemporalHandle, workflowId: string, runId?: string): Promise<StartedWith> {
  let first;
  try {
    const res = await h.connection.workflowService.getWorkflowExecutionHistory({
      namespace: h.namespace,
      execution: { workflowId, runId: runId ?? '' },
      maximumPageSize: 1,
    });
    first = res.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  } catch (err) {
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
  }
  if (!first) throw new NotFoundError(`no start event for ${workflowId}`);
  const { defaultPayloadConverter } = await import('@temporalio/common');
  const input = (first.input?.payloads ?? []).map((p) => defaultPayloadConverter.fromPayload(p as never));
  const timeout = first.workflowExecutionTimeout;
  const executionTimeoutMs = timeout?.seconds
    ? Number(String(timeout.seconds)) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)
    : undefined;
  return {
    type: first.workflowType?.name ?? '',
    taskQueue: first.taskQueue?.name ?? '',
    input,
    ...(executionTimeoutMs ? { executionTimeoutMs } : {}),
  };
}

/** Resets a run to the end of a workflow task (a WorkflowTaskCompleted event id): the new run's id. */
export async function resetToTask(
  h: TemporalHandle,
  workflowId: string,
  runId: string,
  eventId: number,
  reason: string,
): Promise<string> {
  // Loaded here: start-up of every other command does not pay for them.
  const [{ randomUUID }, { default: Long }] = await Promise.all([import('node:crypto'), import('long')]);
  const r: { runId?: string | null } = await h.client.workflowService.resetWorkflowExecution({
    namespace: h.namespace,
    workflowExecution: { workflowId, runId },
    reason,
    workflowTaskFinishEventId: Long.fromNumber(eventId),
    requestId: randomUUID(),
  });
  return r.runId ?? '';
}
