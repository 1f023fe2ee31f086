// One workflow looked into: its failures, its history, its stack.
import { ExitCode, TshellError, ErrorCodes } from '../errors.js';
import { isAlive } from '../processes/proc.js';
import { formatTime, table } from '../render/format.js';
import {
  eventDetail,
  eventId,
  eventTimeIso,
  eventTypeName,
  failuresIn,
  fetchHistory,
  foldStack,
  followHistory,
  type FailureRecord,
} from '../temporal/history.js';
import { queryWithDeadline } from '../temporal/handlers.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { describeTarget, requireForInScripts } from './resolve.js';
import { defineCommand } from '../cli-model/types.js';

/** A failure still going on: not in history until the activity gives up (or the task completes). */
interface PendingFailure {
  kind: 'activity-retrying' | 'workflow-task-retrying';
  activityType?: string;
  activityId?: string;
  attempt: number;
  message: string;
  lastFailureTime?: string;
  nextAttemptTime?: string;
}

interface ErrorsData {
  workflowId: string;
  runId: string;
  status: string;
  failures: FailureRecord[];
  pending: PendingFailure[];
}

export const errorsCommand = defineCommand({
  name: 'errors',
  warm: true,
  aliases: ['analyze'],
  group: 'monitoring',
  effect: 'read',
  summary: "Every failure in the workflow's history, in order, with the user-code frames",
  examples: ['errors', 'errors --id YourWorkflowId --json'],
  flags: [...WORKFLOW_REF],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    status: 'current status',
    failures:
      'failures in the history, in order: {eventId, time, kind, message, cause, failure[], activityType, attempt, retryState, timeoutType, frames[], identity}',
    pending:
      'failures still retrying (describe; not in history yet): {kind, activityType, activityId, attempt, message, lastFailureTime, nextAttemptTime}',
  },
  async run(ctx, args): Promise<ErrorsData> {
    const { h, desc } = await describeTarget(ctx, args);
    const events = await fetchHistory(h, desc.workflowId, desc.runId, ctx.signal);
    const failures = failuresIn(events, ctx.settings.projectDir);
    const pending: PendingFailure[] = desc.pendingActivities
      .filter((a) => a.lastFailure)
      .map((a) => ({
        kind: 'activity-retrying',
        activityType: a.activityType,
        activityId: a.activityId,
        attempt: a.attempt,
        message: a.lastFailure ?? '',
        ...(a.lastFailureTime ? { lastFailureTime: a.lastFailureTime } : {}),
        ...(a.nextAttemptScheduleTime ? { nextAttemptTime: a.nextAttemptScheduleTime } : {}),
      }));
    const wft = desc.pendingWorkflowTask;
    if (wft && wft.attempt > 1) {
      const first = failures.filter((f) => f.kind === 'WorkflowTaskFailed').at(-1);
      pending.push({
        kind: 'workflow-task-retrying',
        attempt: wft.attempt,
        message: first
          ? `${first.message.split('\n')[0]} (event ${first.eventId}; the history keeps the first failure)`
          : 'no failure recorded yet',
      });
    }
    return { workflowId: desc.workflowId, runId: desc.runId, status: desc.status, failures, pending };
  },
  render(d, s) {
    const pendingLines = d.pending.map((p) =>
      p.kind === 'activity-retrying'
        ? `${s.fail} activity ${p.activityType} is failing, attempt ${p.attempt}: ${p.message}${p.nextAttemptTime ? s.c.dim(` (next attempt ${p.nextAttemptTime})`) : ''}`
        : `${s.fail} the workflow task is failing, attempt ${p.attempt}: ${p.message}`,
    );
    if (d.failures.length === 0 && d.pending.length === 0)
      return `${s.ok} no failures in ${d.workflowId} (${d.status}): none in its history, none retrying`;
    if (d.failures.length === 0)
      return [
        `${s.fail} retrying now in ${d.workflowId} (${d.status}), nothing in its history yet:`,
        ...pendingLines,
      ].join('\n');
    const lines = [`${s.fail} ${d.failures.length} failure(s) in ${d.workflowId} (${d.status})`, ...pendingLines];
    for (const f of d.failures) {
      const what = [
        f.kind,
        f.activityType ? `activity ${f.activityType}` : '',
        f.attempt ? `attempt ${f.attempt}` : '',
        f.cause ?? '',
        f.timeoutType ? `timeout ${f.timeoutType}` : '',
        f.retryState && f.retryState !== 'UNSPECIFIED' ? f.retryState : '',
      ]
        .filter(Boolean)
        .join(' · ');
      lines.push(`${s.c.bold(`event ${f.eventId}`)} ${s.c.dim(formatTime(f.time, true))} ${what}`);
      lines.push(
        `  ${f.failure?.length ? f.failure.map((x) => (x.type ? `${x.type}: ${x.message}` : x.message)).join(' ← ') : f.message}`,
      );
      for (const fr of f.frames ?? []) lines.push(s.c.dim(`    at ${fr}`));
    }
    return lines.join('\n');
  },
  exitCode: (d) => (d.failures.length > 0 || d.pending.length > 0 ? ExitCode.failure : ExitCode.ok),
});

// ---- history --------------------------------------------------------------------------------

interface HistoryRow {
  eventId: number;
  time: string;
  type: string;
  detail: string;
}

export const historyCommand = defineCommand({
  name: 'history',
  warm: true,
  aliases: ['show'],
  group: 'monitoring',
  effect: 'read',
  summary: 'Compact event table of the workflow (id, time, type, detail); --follow streams new events',
  examples: ['history', 'history --follow', 'history --id YourWorkflowId --json'],
  flags: [
    ...WORKFLOW_REF,
    {
      name: 'follow',
      type: 'boolean',
      short: 'f',
      description: 'stream new events until the workflow closes or Ctrl-C',
    },
    {
      name: 'for',
      type: 'number',
      min: 0,
      metavar: 'SECONDS',
      description: 'with --follow: stop after this many seconds',
    },
  ],
  fields: { workflowId: 'workflow id', runId: 'run id', events: '{eventId, time, type, detail}' },
  async run(ctx, args): Promise<{ workflowId: string; runId: string; events: HistoryRow[] }> {
    const { h, desc } = await describeTarget(ctx, args);
    const events = await fetchHistory(h, desc.workflowId, desc.runId, ctx.signal);
    const rows = events.map((e) => ({
      eventId: eventId(e),
      time: eventTimeIso(e),
      type: eventTypeName(e),
      detail: eventDetail(e),
    }));
    if (args.flags.follow) {
      requireForInScripts(ctx, args.flags.for);
      const line = (r: HistoryRow) =>
        ctx.json
          ? JSON.stringify(r)
          : `${String(r.eventId).padStart(4)}  ${formatTime(r.time, true)}  ${r.type.padEnd(36)} ${r.detail}`;
      for (const r of rows) ctx.print(`${line(r)}\n`);
      const deadline = args.flags.for !== undefined ? Date.now() + args.flags.for * 1000 : Number.POSITIVE_INFINITY;
      const seen = (e: (typeof events)[number]) => {
        const r = { eventId: eventId(e), time: eventTimeIso(e), type: eventTypeName(e), detail: eventDetail(e) };
        rows.push(r);
        ctx.print(`${line(r)}\n`);
      };
      await followHistory(h, desc.workflowId, desc.runId, rows.at(-1)?.eventId ?? 0, seen, {
        signal: ctx.signal,
        deadline,
      });
      // The data holds every event seen, those streamed while following too (MCP, JSON Lines read only it).
    }
    return { workflowId: desc.workflowId, runId: desc.runId, events: rows };
  },
  render(d, s, args) {
    if (args.flags.follow) return '';
    return table(
      s,
      ['id', 'time', 'type', 'detail'],
      d.events.map((e) => [
        e.eventId,
        formatTime(e.time, true),
        /Failed|TimedOut|Terminated/.test(e.type) ? s.c.red(e.type) : e.type,
        e.detail,
      ]),
    );
  },
});

// ---- stack ----------------------------------------------------------------------------------

export const stackCommand = defineCommand({
  name: 'stack',
  warm: true,
  group: 'monitoring',
  effect: 'read',
  summary: "The workflow's current stack (the built-in __stack_trace query)",
  flags: [
    ...WORKFLOW_REF,
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 5,
      metavar: 'SECONDS',
      description: 'how long to wait for a worker to answer',
    },
    { name: 'all-frames', type: 'boolean', description: 'keep the SDK and asyncio frames too' },
  ],
  fields: {
    workflowId: 'workflow id',
    stack: "the stack trace text (the project's frames; SDK and asyncio runs folded unless --all-frames)",
    folded: 'how many SDK/asyncio frames were folded',
    raw: 'the full stack as the SDK gave it',
  },
  async run(ctx, args): Promise<{ workflowId: string; stack: string; folded: number; raw: string }> {
    const { h, desc } = await describeTarget(ctx, args);
    if (desc.status !== 'RUNNING')
      throw new TshellError(
        `${desc.workflowId} is ${desc.status}: a closed workflow has no stack`,
        ErrorCodes.usage,
        '`errors` shows why it closed',
      );
    // A query runs on a workflow task: while the workflow's own task keeps failing, none can answer.
    const wft = desc.pendingWorkflowTask;
    if (wft && wft.attempt > 1)
      throw new TshellError(
        `the workflow task of ${desc.workflowId} is failing (attempt ${wft.attempt}), so no stack can be taken`,
        ErrorCodes.usage,
        '`errors` and `diagnose` show why it fails',
        ExitCode.failure,
      );
    const raw = String(
      await queryWithDeadline(h, desc, '__stack_trace', [], {
        seconds: args.flags.timeout,
        signal: ctx.signal,
        pidAlive: isAlive,
      }),
    );
    const { text, folded } = args.flags['all-frames'] ? { text: raw, folded: 0 } : foldStack(raw);
    return { workflowId: desc.workflowId, stack: text, folded, raw };
  },
  render: (d) => d.stack.trimEnd(),
});
