// Monitoring commands: recent, stalled, health, logs, errors, history, stack, task-queue.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { ExitCode, NotFoundError, TshellError, ErrorCodes, UsageError } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import { isAlive, processTree, rssBytes, sleep } from '../processes/proc.js';
import { serverHealthy } from '../temporal/connection.js';
import { errorBlocks, latestActivationFailure, readWorkerLogSinceStart, type LogBlock } from '../processes/worker-log.js';
import { findProjectWorkers, workerFiles } from '../processes/worker.js';
import { formatDuration, shortId, table } from '../render/format.js';
import type { Style } from '../render/style.js';
import { mapTemporalError } from '../temporal/errors.js';
import { eventDetail, eventId, eventTimeIso, eventTypeName, failuresIn, fetchHistory, followHistory, type FailureRecord } from '../temporal/history.js';
import { describeQueue, isLiveNow, livePollerCount, pollersOf, type PollerInfo } from '../temporal/task-queue.js';
import { stallReasons, type StallReason } from '../temporal/stalled.js';
import { listExecutions, quoteValue, type ExecutionSummary } from '../temporal/visibility.js';
import { describeWorkflow } from '../temporal/workflows.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { WORKFLOW_REF, WORKFLOW_STATUSES } from './option-sets.js';
import { describeTarget } from './resolve.js';
import { defineCommand, type CommandContext } from './types.js';

const STATUS_QUERY: Record<string, string> = {
  RUNNING: 'Running', COMPLETED: 'Completed', FAILED: 'Failed', CANCELED: 'Canceled', TERMINATED: 'Terminated', CONTINUED_AS_NEW: 'ContinuedAsNew', TIMED_OUT: 'TimedOut',
};

export function statusClause(status: string): string {
  return `ExecutionStatus = ${quoteValue(STATUS_QUERY[status] ?? status)}`;
}


// ---- recent ---------------------------------------------------------------------------------

interface RecentRow extends ExecutionSummary {
  durationMs?: number;
  closeTime?: string;
}
interface RecentData {
  minutes: number;
  workflows: RecentRow[];
  counts: Record<string, number>;
}

/** The start of a look-back window of `minutes` (at most 100 years: a Date has a range). */
function startedSince(minutes: number): string {
  if (!(minutes > 0) || minutes > 52_560_000) throw new UsageError(`--minutes must be between 0 and 52560000 (100 years), not ${minutes}`);
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

export const recentCommand = defineCommand<RecentData>({
  name: 'recent',
  aliases: ['ls'],
  group: 'monitoring',
  summary: 'Executions started in the last minutes, with counts per status',
  examples: ['recent', 'recent --minutes 60 --status FAILED --limit 20'],
  flags: [
    { name: 'minutes', type: 'number', default: 5, description: 'look back this many minutes' },
    { name: 'status', type: 'string', choices: WORKFLOW_STATUSES, description: 'only this status' },
    { name: 'limit', type: 'number', default: 50, description: 'at most this many rows (stops reading pages there)' },
  ],
  fields: { minutes: 'the window', workflows: 'executions: workflowId, runId, type, status, taskQueue, startTime, closeTime, durationMs', counts: 'number of listed executions per status' },
  async run(ctx, args) {
    const minutes = Number(args.flags.minutes);
    const since = startedSince(minutes);
    const parts = [`StartTime > ${quoteValue(since)}`];
    if (args.flags.status) parts.push(statusClause(String(args.flags.status)));
    const h = await ctx.temporal();
    const rows = await listExecutions(h, parts.join(' AND '), Number(args.flags.limit));
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
    return { minutes, workflows: rows.map((r) => ({ ...r, durationMs: (r.closeTime ? Date.parse(r.closeTime) : Date.now()) - Date.parse(r.startTime) })), counts };
  },
  render(d, s) {
    if (d.workflows.length === 0) return `no executions started in the last ${d.minutes} min`;
    return [
      table(s, ['workflow id', 'type', 'status', 'started', 'duration', 'task queue'], d.workflows.map((w) => [shortId(w.workflowId, 36), w.type, paintStatus(s, w.status), w.startTime.replace('T', ' ').slice(0, 19), formatDuration(w.durationMs ?? 0), w.taskQueue])),
      Object.entries(d.counts).map(([k, v]) => `${k} ${v}`).join(' · '),
    ].join('\n');
  },
});

export function paintStatus(s: Style, status: string): string {
  if (status === 'COMPLETED') return s.c.green(status);
  if (status === 'RUNNING') return s.c.cyan(status);
  return s.c.red(status);
}

// ---- stalled --------------------------------------------------------------------------------

export interface StalledWorkflow {
  workflowId: string;
  runId: string;
  type: string;
  taskQueue: string;
  startTime: string;
  reasons: StallReason[];
}
interface StalledData {
  checked: number;
  stalled: StalledWorkflow[];
  waiting: number;
  /** Workflows the server flags with TemporalReportedProblems (undefined: the server cannot say). */
  reportedByServer?: string[];
}

const REPORTED_PROBLEMS = 'TemporalReportedProblems IN ("category=WorkflowTaskFailed", "category=WorkflowTaskTimedOut")';

/** Finds the RUNNING workflows that are not progressing (shared by `stalled` and `bulk-cancel --stalled`). */
export async function findStalled(ctx: CommandContext, h: TemporalHandle, opts: { query?: string; minutes?: number; limit?: number }): Promise<StalledData> {
  const parts = [statusClause('RUNNING')];
  if (opts.minutes) parts.push(`StartTime > ${quoteValue(startedSince(opts.minutes))}`);
  if (opts.query) parts.push(`(${opts.query})`);
  const [running, reported] = await Promise.all([
    listExecutions(h, parts.join(' AND '), opts.limit ?? 1000),
    // One query finds repeated workflow-task failures when the server sets the attribute.
    listExecutions(h, `${parts.join(' AND ')} AND ${REPORTED_PROBLEMS}`, opts.limit ?? 1000).then((r) => new Set(r.map((x) => x.runId))).catch(() => undefined),
  ]);
  // Live poller counts per queue, asked once per queue however many workflows share it.
  const pollerCache = new Map<string, Promise<number>>();
  const live = (queue: string, type: 'workflow' | 'activity'): Promise<number> => {
    const key = `${type}:${queue}`;
    if (!pollerCache.has(key)) pollerCache.set(key, livePollerCount(h, queue, type).catch(() => 0));
    return pollerCache.get(key) as Promise<number>;
  };
  const ownWorker = findProjectWorkers(ctx.settings).workers.find((w) => w.startedByTshell);
  const logLines = ownWorker?.logFile && existsSync(ownWorker.logFile) ? readWorkerLogSinceStart(ctx.settings).lines : undefined;
  const results = await mapLimit(running, 64, async (wf) => {
    let desc;
    try {
      desc = await describeWorkflow(h, wf.workflowId, wf.runId);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined; // closed and gone meanwhile
      throw err;
    }
    const queues = new Set([desc.taskQueue, ...desc.pendingActivities.map((a) => a.taskQueue ?? desc.taskQueue)]);
    const activityCounts = new Map<string, number>();
    for (const q of queues) activityCounts.set(q, await live(q, 'activity'));
    const workflowPollers = await live(desc.taskQueue, 'workflow');
    let firstTaskFailure: { eventId: number; cause: string; message: string } | undefined;
    let currentTaskFailure: string | undefined;
    if (desc.pendingWorkflowTask && desc.pendingWorkflowTask.attempt > 1) {
      const failure = failuresIn(await fetchHistory(h, desc.workflowId, desc.runId)).find((f) => f.kind === 'WorkflowTaskFailed');
      if (failure) firstTaskFailure = { eventId: failure.eventId, cause: failure.cause ?? '', message: failure.message };
      const fromLog = logLines ? latestActivationFailure(logLines, desc.runId) : undefined;
      if (fromLog) currentTaskFailure = `${fromLog} (worker log)`;
    }
    const reasons = stallReasons({ desc, workflowPollers, activityPollers: (q) => activityCounts.get(q) ?? 0, firstTaskFailure, currentTaskFailure, now: Date.now() });
    if (reported?.has(desc.runId) && !reasons.some((r) => r.kind === 'workflow-task-failing')) {
      reasons.push({ kind: 'workflow-task-failing', text: 'the server reports repeated workflow task failures (TemporalReportedProblems)' });
    }
    return { workflowId: desc.workflowId, runId: desc.runId, type: desc.type, taskQueue: desc.taskQueue, startTime: desc.startTime, reasons };
  });
  const checked = results.filter((r): r is StalledWorkflow => r !== undefined);
  const stalled = checked.filter((r) => r.reasons.length > 0);
  const reportedByServer = reported ? checked.filter((c) => reported.has(c.runId)).map((c) => c.workflowId) : undefined;
  return { checked: checked.length, stalled, waiting: checked.length - stalled.length, reportedByServer };
}

export const stalledCommand = defineCommand<StalledData>({
  name: 'stalled',
  group: 'monitoring',
  summary: 'RUNNING workflows that are not progressing, each with the reason',
  examples: ['stalled', 'stalled --query \'WorkflowType = "OrderWorkflow"\' --minutes 60'],
  flags: [
    { name: 'query', type: 'string', description: 'extra visibility filter (ANDed with ExecutionStatus = "Running")' },
    { name: 'minutes', type: 'number', description: 'only workflows started in the last N minutes' },
    { name: 'limit', type: 'number', default: 1000, description: 'check at most this many running workflows' },
  ],
  fields: { checked: 'running workflows examined', stalled: 'stalled workflows: workflowId, runId, type, taskQueue, startTime, reasons[{kind, text}]', waiting: 'running workflows that are waiting (timer, signal, update), not stalled', reportedByServer: 'ids the server flags with TemporalReportedProblems (absent when the server cannot say)' },
  async run(ctx, args) {
    const h = await ctx.temporal();
    return findStalled(ctx, h, { query: args.flags.query as string | undefined, minutes: args.flags.minutes as number | undefined, limit: Number(args.flags.limit) });
  },
  render(d, s) {
    if (d.stalled.length === 0) return `${s.ok} nothing stalled (${d.checked} running, ${d.waiting} waiting)`;
    const lines = [`${s.fail} ${d.stalled.length} stalled of ${d.checked} running (${d.waiting} waiting)`];
    for (const w of d.stalled) {
      lines.push(`${s.c.bold(w.workflowId)} ${s.c.dim(`${w.type} on ${w.taskQueue}`)}`);
      for (const r of w.reasons) lines.push(`  ${s.warn} ${r.text}`);
    }
    lines.push(s.c.dim('next: `errors --id ID`, `logs --errors`, or `bulk-cancel --stalled`'));
    return lines.join('\n');
  },
  exitCode: (d) => (d.stalled.length > 0 ? ExitCode.failure : ExitCode.ok),
});

// ---- health ---------------------------------------------------------------------------------

interface HealthData {
  project: string;
  server: { address: string; reachable: boolean };
  worker?: { pid: number; alive: boolean; uptimeMs: number; rssBytes?: number; startedByTshell: boolean; taskQueue?: string; logFile?: string };
  pollers: { taskQueue?: string; workflow: PollerInfo[]; activity: PollerInfo[] };
  logErrors: LogBlock[];
  deadWorker?: { pid: number; pidFile: string };
}

export const healthCommand = defineCommand<HealthData>({
  name: 'health',
  group: 'monitoring',
  summary: "This project's worker (alive, uptime, memory), its pollers, the errors in its log, the server",
  flags: [],
  fields: { project: 'project name', server: '{address, reachable}', worker: 'the worker process: pid, alive, uptimeMs, rssBytes, startedByTshell, taskQueue, logFile (absent when none runs)', pollers: '{taskQueue, workflow[], activity[]} pollers with identity and lastAccessTime', logErrors: 'error lines and tracebacks in the worker log since it started: {line, text[]}', deadWorker: '{pid, pidFile} of a tshell worker found dead (killed or crashed)' },
  async run(ctx) {
    const reachable = await serverHealthy(ctx.settings.address);
    const found = findProjectWorkers(ctx.settings);
    const w = found.workers[0];
    const dead = found.stale.find((s) => s.reason === 'process is gone');
    const taskQueue = w?.taskQueue ?? (ctx.settings.taskQueue || undefined);
    const pollers: HealthData['pollers'] = { taskQueue, workflow: [], activity: [] };
    if (reachable && taskQueue) {
      const h = await ctx.temporal();
      pollers.workflow = await pollersOf(h, taskQueue, 'workflow');
      pollers.activity = await pollersOf(h, taskQueue, 'activity');
    }
    const log = w?.startedByTshell ? readWorkerLogSinceStart(ctx.settings) : undefined;
    return {
      project: ctx.settings.projectName,
      server: { address: ctx.settings.address, reachable },
      worker: w ? { pid: w.pid, alive: w.alive, uptimeMs: w.uptimeMs, rssBytes: rssBytes(w.pid), startedByTshell: w.startedByTshell, taskQueue, logFile: w.logFile } : undefined,
      pollers,
      logErrors: log ? errorBlocks(log.lines, log.firstLine) : [],
      deadWorker: !w && dead ? { pid: dead.pid, pidFile: dead.file } : undefined,
    };
  },
  render(d, s) {
    const lines = [`${d.server.reachable ? s.ok : s.fail} server ${d.server.address} ${d.server.reachable ? 'reachable' : 'not reachable (ensure-server)'}`];
    if (d.deadWorker) lines.push(`${s.fail} worker pid ${d.deadWorker.pid} is dead (killed or crashed); its PID file was removed (ensure-worker)`);
    else if (!d.worker) lines.push(`${s.fail} no worker running for ${d.project} (ensure-worker)`);
    else {
      lines.push(`${s.ok} worker pid ${d.worker.pid} up ${formatDuration(d.worker.uptimeMs)}${d.worker.rssBytes ? `, ${Math.round(d.worker.rssBytes / 1048576)} MB` : ''}${d.worker.startedByTshell ? '' : ' (not started by tshell)'}`);
    }
    if (d.pollers.taskQueue) {
      const all = [...d.pollers.workflow.map((p) => ['workflow', p] as const), ...d.pollers.activity.map((p) => ['activity', p] as const)];
      lines.push(all.length ? table(s, ['queue type', 'identity', 'last access'], all.map(([t, p]) => [t, p.identity, p.lastAccessTime ?? '-'])) : `${s.fail} no pollers on task queue ${d.pollers.taskQueue}`);
    }
    if (d.logErrors.length) {
      lines.push(`${s.warn} ${d.logErrors.length} error block(s) in the log since start:`);
      for (const b of d.logErrors.slice(-5)) {
        const shown = b.text.slice(-3);
        const first = b.line + b.text.length - shown.length;
        lines.push(...shown.map((l, k) => `  ${s.c.dim(String(first + k).padStart(5))} ${l}`));
      }
    } else if (d.worker?.startedByTshell) lines.push(`${s.ok} no errors in the log since start`);
    return lines.join('\n');
  },
  exitCode: (d) => (d.server.reachable && d.worker && d.logErrors.length === 0 ? ExitCode.ok : ExitCode.failure),
});

/** A script must never hang: following without an end needs --for there. */
function requireForInScripts(ctx: CommandContext, seconds: unknown): void {
  if (!ctx.interactive && seconds === undefined) throw new UsageError('--follow in a script needs --for SECONDS', 'e.g. --follow --for 30 (Ctrl-C ends it in the shell)');
}

// ---- logs -----------------------------------------------------------------------------------

interface LogsData {
  file: string;
  lines: { line: number; text: string }[];
  blocks?: LogBlock[];
}

export const logsCommand = defineCommand<LogsData>({
  name: 'logs',
  aliases: ['log'],
  group: 'monitoring',
  summary: "The worker log: last lines, error blocks whole, a grep, or follow it",
  examples: ['logs -n 100', 'logs --errors', 'logs --grep "activity"', 'logs --follow', 'logs --project-name orders'],
  flags: [
    { name: 'lines', type: 'number', short: 'n', default: 50, description: 'how many lines' },
    { name: 'errors', type: 'boolean', description: 'only error lines and whole tracebacks' },
    { name: 'grep', type: 'string', metavar: 'REGEX', description: 'only lines matching the regular expression' },
    { name: 'follow', type: 'boolean', description: 'keep printing new lines until Ctrl-C (or --for)' },
    { name: 'for', type: 'number', metavar: 'SECONDS', description: 'with --follow: stop after this many seconds' },
  ],
  fields: { file: 'the log file', lines: 'lines shown: {line, text}', blocks: 'with --errors: {line, text[]} blocks' },
  async run(ctx, args) {
    const file = workerFiles(ctx.settings).logFile;
    if (!existsSync(file)) throw new NotFoundError(`no worker log for project ${ctx.settings.projectName} (${file})`, 'start one with `ensure-worker`, or pass --project-name');
    let re: RegExp | undefined;
    if (args.flags.grep) {
      try {
        re = new RegExp(String(args.flags.grep), 'i');
      } catch (err) {
        throw new UsageError(`--grep: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const all = readFileSync(file, 'utf8').split('\n');
    if (all.at(-1) === '') all.pop();
    const n = Number(args.flags.lines);
    const numbered = all.map((text, i) => ({ line: i + 1, text }));
    const data: LogsData = { file, lines: [] };
    if (args.flags.errors) {
      const blocks = errorBlocks(all).filter((b) => !re || b.text.some((t) => re.test(t)));
      data.blocks = blocks.slice(-n);
      data.lines = data.blocks.flatMap((b) => b.text.map((text, k) => ({ line: b.line + k, text })));
    } else {
      data.lines = numbered.filter((l) => !re || re.test(l.text)).slice(-n);
    }
    if (args.flags.follow) {
      requireForInScripts(ctx, args.flags.for);
      // Print what we have, then stream appended lines (text mode only makes sense here).
      const print = (l: { line: number; text: string }) => ctx.print(`${l.text}\n`);
      data.lines.forEach(print);
      let size = statSync(file).size;
      let lineNo = all.length;
      const stopAt = args.flags.for !== undefined ? Date.now() + Number(args.flags.for) * 1000 : Number.POSITIVE_INFINITY;
      let partial = '';
      while (Date.now() < stopAt && !ctx.signal.aborted) {
        await sleep(200, ctx.signal).catch(() => undefined);
        const now = statSync(file).size;
        if (now < size) size = 0; // truncated or rotated
        if (now > size) {
          const chunk = partial + readFileSync(file).subarray(size, now).toString('utf8');
          size = now;
          const parts = chunk.split('\n');
          partial = parts.pop() ?? '';
          for (const text of parts) {
            lineNo++;
            if (!re || re.test(text)) print({ line: lineNo, text });
          }
        }
      }
      return { file, lines: [] };
    }
    return data;
  },
  render(d, s, args) {
    if (args.flags.follow) return '';
    if (d.lines.length === 0) return s.c.dim(`(nothing${args.flags.errors ? ' that looks like an error' : ''} in ${d.file})`);
    if (d.blocks) return d.blocks.map((b) => b.text.map((t, k) => `${s.c.dim(String(b.line + k).padStart(6))} ${t}`).join('\n')).join('\n\n');
    return d.lines.map((l) => l.text).join('\n');
  },
});

// ---- errors ---------------------------------------------------------------------------------

interface ErrorsData {
  workflowId: string;
  runId: string;
  status: string;
  failures: FailureRecord[];
}

export const errorsCommand = defineCommand<ErrorsData>({
  name: 'errors',
  aliases: ['analyze'],
  group: 'monitoring',
  summary: "Every failure in the workflow's history, in order, with the user-code frames",
  examples: ['errors', 'errors --id YourWorkflowId --json'],
  flags: [...WORKFLOW_REF],
  fields: { workflowId: 'workflow id', runId: 'run id', status: 'current status', failures: 'failures in order: {eventId, time, kind, message, cause, failure[], activityType, attempt, retryState, timeoutType, frames[], identity}' },
  async run(ctx, args) {
    const { h, desc } = await describeTarget(ctx, args);
    const events = await fetchHistory(h, desc.workflowId, desc.runId, ctx.signal);
    return { workflowId: desc.workflowId, runId: desc.runId, status: desc.status, failures: failuresIn(events, ctx.settings.projectDir) };
  },
  render(d, s) {
    if (d.failures.length === 0) return `${s.ok} no failures in the history of ${d.workflowId} (${d.status})`;
    const lines = [`${s.fail} ${d.failures.length} failure(s) in ${d.workflowId} (${d.status})`];
    for (const f of d.failures) {
      const what = [f.kind, f.activityType ? `activity ${f.activityType}` : '', f.attempt ? `attempt ${f.attempt}` : '', f.cause ?? '', f.timeoutType ? `timeout ${f.timeoutType}` : '', f.retryState && f.retryState !== 'UNSPECIFIED' ? f.retryState : ''].filter(Boolean).join(' · ');
      lines.push(`${s.c.bold(`event ${f.eventId}`)} ${s.c.dim(f.time)} ${what}`);
      lines.push(`  ${f.failure?.length ? f.failure.map((x) => (x.type ? `${x.type}: ${x.message}` : x.message)).join(' ← ') : f.message}`);
      for (const fr of f.frames ?? []) lines.push(s.c.dim(`    at ${fr}`));
    }
    return lines.join('\n');
  },
  exitCode: (d) => (d.failures.length > 0 ? ExitCode.failure : ExitCode.ok),
});

// ---- history --------------------------------------------------------------------------------

interface HistoryRow {
  eventId: number;
  time: string;
  type: string;
  detail: string;
}

export const historyCommand = defineCommand<{ workflowId: string; runId: string; events: HistoryRow[] }>({
  name: 'history',
  aliases: ['show'],
  group: 'monitoring',
  summary: 'Compact event table of the workflow (id, time, type, detail); --follow streams new events',
  examples: ['history', 'history --follow', 'history --id YourWorkflowId --json'],
  flags: [...WORKFLOW_REF, { name: 'follow', type: 'boolean', short: 'f', description: 'stream new events until the workflow closes or Ctrl-C' }, { name: 'for', type: 'number', metavar: 'SECONDS', description: 'with --follow: stop after this many seconds' }],
  fields: { workflowId: 'workflow id', runId: 'run id', events: '{eventId, time, type, detail}' },
  async run(ctx, args) {
    const { h, desc } = await describeTarget(ctx, args);
    const events = await fetchHistory(h, desc.workflowId, desc.runId, ctx.signal);
    const rows = events.map((e) => ({ eventId: eventId(e), time: eventTimeIso(e), type: eventTypeName(e), detail: eventDetail(e) }));
    if (args.flags.follow) {
      requireForInScripts(ctx, args.flags.for);
      const line = (r: HistoryRow) => (ctx.json ? JSON.stringify(r) : `${String(r.eventId).padStart(4)}  ${r.time.slice(11, 23)}  ${r.type.padEnd(36)} ${r.detail}`);
      for (const r of rows) ctx.print(`${line(r)}\n`);
      const deadline = args.flags.for !== undefined ? Date.now() + Number(args.flags.for) * 1000 : Number.POSITIVE_INFINITY;
      await followHistory(h, desc.workflowId, desc.runId, rows.at(-1)?.eventId ?? 0, (e) => ctx.print(`${line({ eventId: eventId(e), time: eventTimeIso(e), type: eventTypeName(e), detail: eventDetail(e) })}\n`), { signal: ctx.signal, deadline });
      return { workflowId: desc.workflowId, runId: desc.runId, events: [] };
    }
    return { workflowId: desc.workflowId, runId: desc.runId, events: rows };
  },
  render(d, s, args) {
    if (args.flags.follow) return '';
    return table(s, ['id', 'time', 'type', 'detail'], d.events.map((e) => [e.eventId, e.time.slice(11, 23), /Failed|TimedOut|Terminated/.test(e.type) ? s.c.red(e.type) : e.type, e.detail]));
  },
});

// ---- stack ----------------------------------------------------------------------------------

export const stackCommand = defineCommand<{ workflowId: string; stack: string }>({
  name: 'stack',
  group: 'monitoring',
  summary: "The workflow's current stack (the built-in __stack_trace query)",
  flags: [...WORKFLOW_REF, { name: 'timeout', type: 'number', default: 5, metavar: 'SECONDS', description: 'how long to wait for a worker to answer' }],
  fields: { workflowId: 'workflow id', stack: 'the stack trace text' },
  async run(ctx, args) {
    const { h, desc } = await describeTarget(ctx, args);
    if (desc.status !== 'RUNNING') throw new TshellError(`${desc.workflowId} is ${desc.status}: a closed workflow has no stack`, ErrorCodes.usage, '`errors` shows why it closed');
    const stack = await queryWithDeadline(ctx, h, desc.workflowId, desc.runId, desc.taskQueue, '__stack_trace', [], Number(args.flags.timeout));
    return { workflowId: desc.workflowId, stack: String(stack) };
  },
  render: (d) => d.stack.trimEnd(),
});

/** A query with a short deadline: "no worker" becomes one clear line instead of a long hang. */
export async function queryWithDeadline(ctx: CommandContext, h: TemporalHandle, workflowId: string, runId: string, taskQueue: string, name: string, queryArgs: unknown[], seconds: number): Promise<unknown> {
  const noWorker = () =>
    new TshellError(`no worker answered the ${name} query within ${seconds} s`, ErrorCodes.process, `is a worker polling task queue ${taskQueue}? (\`ensure-worker\`, \`task-queue ${taskQueue}\`)`);
  // Without a live poller nothing can answer: say so at once instead of waiting out the deadline.
  const pollers = await pollersOf(h, taskQueue, 'workflow').catch(() => undefined);
  if (pollers && !pollers.some(isLiveNow)) {
    throw new TshellError(`no worker polls task queue ${taskQueue}: nothing can answer the ${name} query`, ErrorCodes.process, 'start one with `ensure-worker`');
  }
  const handle = h.client.workflow.getHandle(workflowId, runId);
  try {
    return await h.connection.withAbortSignal(ctx.signal, () => h.connection.withDeadline(Date.now() + seconds * 1000, () => handle.query(name, ...queryArgs)));
  } catch (err) {
    const e = err as { code?: number; message?: string; name?: string; cause?: { code?: number; details?: string } };
    const text = `${e.message ?? ''} ${e.cause?.details ?? ''}`;
    if (e.code === 4 || e.cause?.code === 4 || /deadline|timed out/i.test(text)) throw noWorker();
    if (e.name === 'QueryNotRegisteredError' || /unknown queryType|not registered|query handler|KnownQueryTypes/i.test(text)) {
      throw new TshellError(`the workflow has no query named ${name}`, ErrorCodes.usage, text.split('\n')[0]?.trim());
    }
    throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId });
  }
}

// ---- task-queue -----------------------------------------------------------------------------

interface QueuePoller extends PollerInfo {
  type: 'workflow' | 'activity';
  live: boolean;
  localProcess?: string;
}

export const taskQueueCommand = defineCommand<{ taskQueue: string; pollers: QueuePoller[]; backlog?: { workflow?: number; activity?: number } }>({
  name: 'task-queue',
  aliases: ['tq'],
  group: 'monitoring',
  summary: 'Pollers of a task queue (workflow and activity), which local process each is, and the backlog',
  examples: ['task-queue', 'task-queue hello-tasks --json'],
  flags: [],
  positionals: [{ name: 'name', description: "the task queue (default: the current workflow's)" }],
  fields: { taskQueue: 'the queue', pollers: '{type, identity, lastAccessTime, live, localProcess}', backlog: '{workflow, activity} approximate backlog counts' },
  async run(ctx, args) {
    const h = await ctx.temporal();
    let name = args.positionals[0];
    if (!name) {
      const current = ctx.session.current.workflowId;
      if (!current) throw new UsageError('which task queue?', 'pass a name, or `start`/`use` a workflow first');
      name = (await describeWorkflow(h, current)).taskQueue;
    }
    const info = await describeQueue(h, name);
    const workers = findProjectWorkers(ctx.settings).workers;
    const host = hostname();
    const describePid = (identity: string): string | undefined => {
      const m = /^(\d+)@(.+)$/.exec(identity);
      if (!m || m[2] !== host) return undefined;
      const pid = Number(m[1]);
      if (!isAlive(pid)) return 'dead local process';
      // uv's python child polls: its tree leads back to the worker we know.
      const w = workers.find((x) => processTree(x.pid).some((p) => p.pid === pid));
      return w ? `worker of ${w.project} (pid ${w.pid})` : `local pid ${pid}`;
    };
    const pollers: QueuePoller[] = [
      ...info.workflowPollers.map((p) => ({ ...p, type: 'workflow' as const })),
      ...info.activityPollers.map((p) => ({ ...p, type: 'activity' as const })),
    ].map((p) => ({ ...p, live: isLiveNow(p), localProcess: describePid(p.identity) }));
    return { taskQueue: name, pollers, backlog: info.backlog };
  },
  render(d, s) {
    const lines = [`task queue ${s.c.bold(d.taskQueue)}${d.backlog ? s.c.dim(` (backlog: workflow ${d.backlog.workflow ?? '?'}, activity ${d.backlog.activity ?? '?'})`) : ''}`];
    if (d.pollers.length === 0) lines.push(`${s.fail} no pollers: no worker is serving this queue`);
    else lines.push(table(s, ['type', 'identity', 'last access', 'live', 'process'], d.pollers.map((p) => [p.type, p.identity, p.lastAccessTime ?? '-', p.live ? s.c.green('yes') : s.c.red('no'), p.localProcess ?? '-'])));
    return lines.join('\n');
  },
  exitCode: (d) => (d.pollers.some((p) => p.live) ? ExitCode.ok : ExitCode.failure),
});


