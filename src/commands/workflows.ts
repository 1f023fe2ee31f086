// Workflow commands of the local loop: wait, result, describe.
import { ExitCode } from '../errors.js';
import { workflowUiUrl } from '../processes/server.js';
import { card, formatDuration, table, toJson } from '../render/format.js';
import type { Style } from '../render/style.js';
import {
  awaitCloseEvent,
  describeWorkflow,
  fetchCloseEvent,
  normalizeStatus,
  type CloseInfo,
  type FailureLink,
  type WorkflowDescription,
} from '../temporal/workflows.js';
import { errorShapedReason } from '../diagnosis/error-result.js';
import { describeWaits, waitingOn, type WaitItem, type WaitProbe } from '../diagnosis/waiting.js';
import { codeFacts, waitConditions } from '../diagnosis/evidence.js';
import { workflowHandlers } from '../temporal/handlers.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { livePollerCount } from '../temporal/task-queue.js';
import { fetchHistory } from '../temporal/history.js';
import { isAlive, sleep } from '../processes/proc.js';
import { WORKFLOW_REF, WORKFLOW_STATUSES } from '../cli-model/option-sets.js';
import { describeTarget, workflowRef } from './resolve.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';

interface WaitResult {
  workflowId: string;
  runId?: string;
  targetStatus: string;
  status: string;
  reached: boolean;
  timedOut: boolean;
  waitedMs: number;
  close?: CloseInfo;
}

export const waitCommand = defineCommand({
  name: 'wait',
  warm: true,
  group: 'workflows',
  effect: 'read',
  summary: 'Wait until the workflow reaches a status (returns the moment it closes)',
  examples: ['wait --status COMPLETED --timeout 60', 'wait --id YourWorkflowId --status RUNNING'],
  flags: [
    ...WORKFLOW_REF,
    {
      name: 'status',
      type: 'string',
      default: 'COMPLETED',
      choices: WORKFLOW_STATUSES,
      description: 'the status to wait for',
    },
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 60,
      metavar: 'SECONDS',
      description: 'give up after this many seconds (exit 1)',
    },
  ],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    targetStatus: 'the status waited for',
    status: 'the status seen',
    reached: 'target reached',
    timedOut: 'gave up at --timeout',
    waitedMs: 'time waited',
    close: 'the close event: {status, eventId, closeTime, result, failure[], reason, identity, newRunId}',
  },
  async run(ctx, args): Promise<WaitResult> {
    const ref = workflowRef(ctx, args);
    const target = normalizeStatus(args.flags.status);
    const started = Date.now();
    const deadline = started + args.flags.timeout * 1000;
    const h = await ctx.temporal();
    let desc = await describeWorkflow(h, ref.workflowId, ref.runId);
    const result = (status: string, close?: CloseInfo, timedOut = false): WaitResult => {
      ctx.session.setStatus(status);
      return {
        workflowId: ref.workflowId,
        runId: close ? desc.runId : desc.runId,
        targetStatus: target,
        status,
        reached: status === target,
        timedOut,
        waitedMs: Date.now() - started,
        close,
      };
    };
    if (target === 'RUNNING') {
      // Only a short describe loop can see "RUNNING": there is no event to long-poll for.
      while (desc.status !== 'RUNNING' && Date.now() < deadline) {
        if (desc.status !== 'RUNNING' && desc.closeTime) break;
        await sleep(100, ctx.signal);
        desc = await describeWorkflow(h, ref.workflowId, ref.runId);
      }
      const close = desc.status !== 'RUNNING' ? await fetchCloseEvent(h, desc.workflowId, desc.runId) : undefined;
      return result(desc.status, close, desc.status !== 'RUNNING' && !desc.closeTime);
    }
    let runId = ref.runId ?? desc.runId;
    if (desc.status === 'RUNNING') {
      const doing = desc.pendingActivities[0];
      ctx.progress(
        `waiting for ${desc.workflowId} to close as ${target} (now RUNNING${doing ? `, activity ${doing.activityType} attempt ${doing.attempt}` : ''}; up to ${args.flags.timeout} s)…`,
      );
    }
    for (;;) {
      const close = await awaitCloseEvent(h, ref.workflowId, runId, deadline, ctx.signal);
      if (!close) return result('RUNNING', undefined, true);
      if (close.status === 'CONTINUED_AS_NEW' && target !== 'CONTINUED_AS_NEW' && close.newRunId) {
        ctx.progress(`continued as new: following run ${close.newRunId}`);
        runId = close.newRunId;
        desc = { ...desc, runId };
        continue;
      }
      return result(close.status, close);
    }
  },
  render(d, s) {
    if (d.reached) return `${s.ok} ${d.workflowId} is ${d.status} (waited ${formatDuration(d.waitedMs)})`;
    if (d.timedOut)
      return `${s.fail} ${d.workflowId} did not reach ${d.targetStatus} within ${formatDuration(d.waitedMs)} (still ${d.status})\n  hint: \`describe\` shows what it is doing`;
    const why = d.close?.failure?.length
      ? `: ${failureLine(d.close.failure)}`
      : d.close?.reason
        ? `: ${d.close.reason}`
        : '';
    return `${s.fail} ${d.workflowId} closed as ${d.status}, not ${d.targetStatus}${why}\n  hint: \`result\` shows the outcome`;
  },
  exitCode: (d) => (d.reached ? ExitCode.ok : ExitCode.failure),
});

function failureLine(chain: FailureLink[]): string {
  return chain.map((f) => (f.type ? `${f.type}: ${f.message}` : f.message)).join(' ← ');
}

interface ResultData {
  workflowId: string;
  runId: string;
  status: string;
  result?: unknown;
  undecodable?: string;
  failure?: FailureLink[];
  reason?: string;
  terminatedBy?: string;
  /** Why a COMPLETED result looks like an error, when it does. */
  errorShaped?: string;
}

export const resultCommand = defineCommand({
  name: 'result',
  warm: true,
  group: 'workflows',
  effect: 'read',
  summary: 'The decoded result (or the failure) of the workflow; flags results that look like errors',
  examples: ['result', 'result --id YourWorkflowId --raw', 'result --strict'],
  flags: [
    ...WORKFLOW_REF,
    { name: 'raw', type: 'boolean', description: 'print only the result value as JSON' },
    { name: 'strict', type: 'boolean', description: 'exit 1 when a COMPLETED result looks like an error' },
  ],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    status: 'status',
    result: 'decoded result (COMPLETED)',
    undecodable: 'why the payload could not be decoded',
    failure: 'failure chain [{message, type, nonRetryable}]',
    reason: 'termination or cancel reason',
    terminatedBy: 'identity that terminated it',
    errorShaped: 'why a COMPLETED result looks like an error',
  },
  async run(ctx, args): Promise<ResultData> {
    const { h, desc } = await describeTarget(ctx, args);
    ctx.session.setStatus(desc.status);
    if (desc.status === 'RUNNING') return { workflowId: desc.workflowId, runId: desc.runId, status: desc.status };
    const close = await fetchCloseEvent(h, desc.workflowId, desc.runId);
    const data: ResultData = { workflowId: desc.workflowId, runId: desc.runId, status: close?.status ?? desc.status };
    if (!close) return data;
    if (close.status === 'COMPLETED') {
      data.result = close.result;
      data.undecodable = close.undecodable;
      data.errorShaped = errorShapedReason(close.result);
    }
    data.failure = close.failure;
    data.reason = close.reason;
    data.terminatedBy = close.identity;
    return data;
  },
  render(d, s, args) {
    if (args.flags.raw && d.status === 'COMPLETED') return toJson(d.result ?? null);
    if (d.status === 'RUNNING')
      return `${s.info} ${d.workflowId} is still RUNNING: no result yet\n  hint: \`wait --status COMPLETED\``;
    if (d.status === 'COMPLETED') {
      const value = d.undecodable
        ? `(undecodable payload: ${d.undecodable})`
        : typeof d.result === 'string'
          ? d.result
          : toJson(d.result);
      const lines = [`${d.errorShaped ? s.warn : s.ok} ${d.workflowId} COMPLETED`, value];
      if (d.errorShaped)
        lines.push(
          s.c.yellow(`warning: the result looks like an error (${d.errorShaped}); --strict makes this exit 1`),
        );
      return lines.join('\n');
    }
    const lines = [`${s.fail} ${d.workflowId} ${d.status}`];
    if (d.failure?.length)
      lines.push(
        ...d.failure.map(
          (f, i) => `${'  '.repeat(i)}${i ? '← ' : ''}${f.type ? s.c.bold(f.type) + ': ' : ''}${f.message}`,
        ),
      );
    if (d.reason) lines.push(`reason: ${d.reason}`);
    if (d.terminatedBy) lines.push(`by: ${d.terminatedBy}`);
    return lines.join('\n');
  },
  exitCode(d, args) {
    if (d.status === 'COMPLETED') return d.errorShaped && args.flags.strict ? ExitCode.failure : ExitCode.ok;
    return ExitCode.failure;
  },
});

type DescribeData = WorkflowDescription & { uiUrl: string; waitingOn?: WaitItem[] };

function renderPending(s: Style, d: WorkflowDescription): string[] {
  const lines: string[] = [];
  if (d.pendingWorkflowTask && d.pendingWorkflowTask.attempt > 1) {
    lines.push(
      s.c.yellow(
        `workflow task ${d.pendingWorkflowTask.state}, attempt ${d.pendingWorkflowTask.attempt} (it keeps failing: see the worker log)`,
      ),
    );
  }
  if (d.pendingActivities.length) {
    lines.push('pending activities:');
    lines.push(
      table(
        s,
        ['activity', 'id', 'state', 'attempt', 'last failure'],
        d.pendingActivities.map((a) => [
          a.activityType,
          a.activityId,
          a.state,
          `${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}`,
          a.lastFailure ?? '-',
        ]),
      ),
    );
  }
  return lines;
}

/** Ask the workflow itself only when a live worker can answer at once (else a query hangs to its deadline). */
async function askIfAnswering(ctx: CommandContext, h: TemporalHandle, d: WorkflowDescription): Promise<WaitProbe> {
  const conditions = waitConditions(codeFacts(ctx.project()), d.type);
  if ((d.pendingWorkflowTask?.attempt ?? 0) > 1) return { conditions };
  const pollers = await livePollerCount(h, d.taskQueue, 'workflow', isAlive).catch(() => 0);
  const handlers = pollers > 0 ? await workflowHandlers(h, d.workflowId, d.runId, 1) : undefined;
  return { conditions, handlers };
}

export const describeCommand = defineCommand({
  name: 'describe',
  warm: true,
  aliases: ['desc'],
  group: 'workflows',
  effect: 'read',
  summary: 'Status, type, task queue, times, history length and pending work of the workflow',
  examples: ['describe', 'describe --id YourWorkflowId --json'],
  flags: [...WORKFLOW_REF],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    type: 'workflow type',
    status: 'status',
    taskQueue: 'task queue',
    startTime: 'start',
    closeTime: 'close',
    durationMs: 'duration so far',
    historyLength: 'events',
    historySizeBytes: 'history size in bytes',
    pendingActivities:
      '[{activityId, activityType, state, attempt, maximumAttempts, lastFailure, lastWorkerIdentity, scheduledTime, lastStartedTime, nextAttemptScheduleTime, lastFailureTime, taskQueue}]',
    pendingWorkflowTask: '{state, attempt}',
    pendingChildren: '[{workflowId, runId, type}] child workflows not closed yet',
    uiUrl: 'Web UI link',
    waitingOn:
      'running only: [{kind: timer|activity|child|signal-received|update-received|signal-handler|update-handler|blocked-at, name, since, firesAt, seconds, attempt, nextAttemptAt, eventId, received}]',
  },
  async run(ctx, args): Promise<DescribeData> {
    const { h, desc: d } = await describeTarget(ctx, args);
    if (d.workflowId === ctx.session.current.workflowId) ctx.session.setStatus(d.status);
    // A running workflow: what it waits for, from its history and (when a worker answers at once) itself.
    const waits =
      d.status === 'RUNNING'
        ? await Promise.all([fetchHistory(h, d.workflowId, d.runId), askIfAnswering(ctx, h, d)]).then(
            ([events, probe]) => waitingOn(events, d, probe),
          )
        : undefined;
    return { ...d, uiUrl: workflowUiUrl(ctx.settings, d.workflowId, d.runId), ...(waits ? { waitingOn: waits } : {}) };
  },
  render(d, s) {
    const mark = d.status === 'COMPLETED' || d.status === 'RUNNING' ? s.ok : s.fail;
    return [
      `${mark} ${s.c.bold(d.workflowId)} ${d.status}`,
      card(s, [
        ['run id', d.runId],
        ['type', d.type],
        ['task queue', d.taskQueue],
        ['started', d.startTime],
        ['closed', d.closeTime],
        [d.closeTime ? 'duration' : 'running for', formatDuration(d.durationMs)],
        ['history', `${d.historyLength} events`],
        ['web ui', d.uiUrl],
        ['waiting on', d.waitingOn ? describeWaits(d.waitingOn) : undefined],
      ]),
      ...renderPending(s, d),
    ].join('\n');
  },
});
