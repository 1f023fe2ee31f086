// Is a RUNNING workflow stalled, and why? Pure decision over describe + pollers (+ the first
// recorded workflow-task failure), so it can be tested on recorded data.
import { existsSync } from 'node:fs';
import { NotFoundError } from '../errors.js';
import { mapLimitStream } from '../concurrency.js';
import type { Settings } from '../config/settings.js';
import { isAlive } from '../processes/proc.js';
import { latestActivationFailure, readWorkerLogSinceStart } from '../processes/worker-log.js';
import { findProjectWorkers } from '../processes/worker-find.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { failuresIn, fetchHistory } from '../temporal/history.js';
import { livePollerCount } from '../temporal/task-queue.js';
import { listExecutionPages, listExecutions, quoteValue, startedSince, statusClause } from '../temporal/visibility.js';
import { describeWorkflow, type WorkflowDescription } from '../temporal/workflows.js';

export interface StallEvidence {
  desc: WorkflowDescription;
  /** Live workflow-task pollers on the workflow's task queue. */
  workflowPollers: number;
  /** Live activity pollers per activity task queue. */
  activityPollers: (taskQueue: string) => number;
  /** The first WorkflowTaskFailed in history (the SDK reports only the first attempt). */
  firstTaskFailure?: { eventId: number; cause: string; message: string };
  /** The latest failure from the worker's own log, when tshell knows the worker. */
  currentTaskFailure?: string;
  now: number;
}

export type StallKind = 'workflow-task-failing' | 'activity-failing' | 'no-poller' | 'activity-never-started';

export interface StallReason {
  kind: StallKind;
  text: string;
}

/** An activity past this attempt is "failing" (one retry may be bad luck; two are a pattern). */
export const FAILING_AFTER_ATTEMPT = 2;

/** How long a scheduled, never-started activity may wait before it counts as stuck. */
export const NEVER_STARTED_MS = 5000;

export function stallReasons(ev: StallEvidence): StallReason[] {
  const { desc } = ev;
  if (desc.status !== 'RUNNING') return [];
  const reasons: StallReason[] = [];
  const wft = desc.pendingWorkflowTask;
  if (wft && (wft.attempt > 1 || ev.firstTaskFailure)) {
    const first = ev.firstTaskFailure;
    const why = ev.currentTaskFailure
      ? ev.currentTaskFailure
      : first
        ? `${first.cause}: ${first.message.split('\n')[0]} (event ${first.eventId}; first recorded failure, possibly outdated)`
        : 'no failure recorded yet';
    reasons.push({ kind: 'workflow-task-failing', text: `workflow task failing, attempt ${wft.attempt}: ${why}` });
  }
  if (ev.workflowPollers === 0)
    reasons.push({ kind: 'no-poller', text: `no worker polls task queue ${desc.taskQueue}` });
  for (const a of desc.pendingActivities) {
    if (a.attempt > FAILING_AFTER_ATTEMPT) {
      reasons.push({
        kind: 'activity-failing',
        text: `activity ${a.activityType} failing, attempt ${a.attempt}${a.maximumAttempts ? `/${a.maximumAttempts}` : ''}: ${a.lastFailure ?? 'no failure recorded'}`,
      });
      continue;
    }
    const neverStarted = a.state === 'SCHEDULED' && a.attempt <= 1 && !a.lastFailure && !a.lastStartedTime;
    const age = a.scheduledTime ? ev.now - Date.parse(a.scheduledTime) : 0;
    const queue = a.taskQueue ?? desc.taskQueue;
    if (neverStarted && (ev.activityPollers(queue) === 0 || age > NEVER_STARTED_MS)) {
      const pollers = ev.activityPollers(queue);
      reasons.push({
        kind: 'activity-never-started',
        text: `activity ${a.activityType} scheduled ${Math.round(age / 1000)}s ago, never started${pollers === 0 ? ` (no worker polls activity task queue ${queue})` : ''}`,
      });
    }
  }
  return reasons;
}

export interface StalledWorkflow {
  workflowId: string;
  runId: string;
  type: string;
  taskQueue: string;
  startTime: string;
  reasons: StallReason[];
}
export interface StalledData {
  checked: number;
  stalled: StalledWorkflow[];
  waiting: number;
  /** Workflows the server flags with TemporalReportedProblems (undefined: the server cannot say). */
  reportedByServer?: string[];
}

/** Rows in the first listing page: small, so the first describes start after ~30 ms, not ~300. */
const FIRST_PAGE = 100;
/** Describes in flight: the dev server answers ~10% faster at 128 than at 32 (measured, 5,000 running). */
const DESCRIBE_CONCURRENCY = 128;

const REPORTED_PROBLEMS =
  'TemporalReportedProblems IN ("category=WorkflowTaskFailed", "category=WorkflowTaskTimedOut")';

/** Finds the RUNNING workflows that are not progressing (shared by `stalled` and `bulk-cancel --stalled`). */
export async function findStalled(
  settings: Settings,
  h: TemporalHandle,
  opts: {
    query?: string;
    minutes?: number;
    limit?: number;
    /** Each stalled workflow the moment it is found. */ onStalled?: (w: StalledWorkflow) => void;
  },
): Promise<StalledData> {
  const parts = [statusClause('RUNNING')];
  if (opts.minutes) parts.push(`StartTime > ${quoteValue(startedSince(opts.minutes))}`);
  if (opts.query) parts.push(`(${opts.query})`);
  const query = parts.join(' AND ');
  const limit = opts.limit ?? 1000;
  // One query finds repeated workflow-task failures when the server sets the attribute; it runs
  // beside the listing and is awaited only when the first verdict needs it.
  const reportedQuery = listExecutions(h, `${query} AND ${REPORTED_PROBLEMS}`, limit)
    .then((r) => new Set(r.map((x) => x.runId)))
    .catch(() => undefined);
  // Live poller counts per queue, asked once per queue however many workflows share it.
  const pollerCache = new Map<string, Promise<number>>();
  const live = (queue: string, type: 'workflow' | 'activity'): Promise<number> => {
    const key = `${type}:${queue}`;
    if (!pollerCache.has(key))
      pollerCache.set(
        key,
        livePollerCount(h, queue, type, isAlive).catch(() => 0),
      );
    return pollerCache.get(key) as Promise<number>;
  };
  const ownWorker = findProjectWorkers(settings).workers.find((w) => w.startedByTshell);
  // Read once, and only when a workflow task is failing (the log can be megabytes of tracebacks).
  let logLines: string[] | undefined | null = null;
  const workerLog = () =>
    (logLines ??=
      ownWorker?.logFile && existsSync(ownWorker.logFile) ? readWorkerLogSinceStart(settings).lines : undefined);
  // Describes start on the first (small) page while the server reads the rest: with thousands
  // running, the first stalled rows are printed long before the listing ends.
  const results = await mapLimitStream(
    listExecutionPages(h, query, limit, FIRST_PAGE),
    DESCRIBE_CONCURRENCY,
    async (wf) => {
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
        const failure = failuresIn(await fetchHistory(h, desc.workflowId, desc.runId)).find(
          (f) => f.kind === 'WorkflowTaskFailed',
        );
        if (failure)
          firstTaskFailure = { eventId: failure.eventId, cause: failure.cause ?? '', message: failure.message };
        const lines = workerLog();
        const fromLog = lines ? latestActivationFailure(lines, desc.runId) : undefined;
        if (fromLog) currentTaskFailure = `${fromLog} (worker log)`;
      }
      const reported = await reportedQuery;
      const reasons = stallReasons({
        desc,
        workflowPollers,
        activityPollers: (q) => activityCounts.get(q) ?? 0,
        firstTaskFailure,
        currentTaskFailure,
        now: Date.now(),
      });
      if (reported?.has(desc.runId) && !reasons.some((r) => r.kind === 'workflow-task-failing')) {
        reasons.push({
          kind: 'workflow-task-failing',
          text: 'the server reports repeated workflow task failures (TemporalReportedProblems)',
        });
      }
      const found = {
        workflowId: desc.workflowId,
        runId: desc.runId,
        type: desc.type,
        taskQueue: desc.taskQueue,
        startTime: desc.startTime,
        reasons,
      };
      if (reasons.length) opts.onStalled?.(found);
      return found;
    },
  );
  const reported = await reportedQuery;
  const checked = results.filter((r): r is StalledWorkflow => r !== undefined);
  const stalled = checked.filter((r) => r.reasons.length > 0);
  const reportedByServer = reported ? checked.filter((c) => reported.has(c.runId)).map((c) => c.workflowId) : undefined;
  return { checked: checked.length, stalled, waiting: checked.length - stalled.length, reportedByServer };
}
