// Evidence about one workflow, gathered the same way whether tshell started the worker or not:
// describe, the history's failures, pollers, the project's worker processes and the result.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { eventId, eventTypeName, failuresIn, fetchHistory, type FailureRecord } from '../temporal/history.js';
import { livePollerCount } from '../temporal/task-queue.js';
import { describeWorkflow, fetchCloseEvent, type CloseInfo, type WorkflowDescription } from '../temporal/workflows.js';
import { findProjectWorkers, matchHeartbeats } from '../processes/worker-find.js';
import { runningWorkerReport } from '../processes/running-worker.js';
import {
  latestActivationFailureAt,
  latestActivityFailureAt,
  readWorkerLogSinceStart,
} from '../processes/worker-log.js';
import { allProcs, isAlive, type ProcInfo } from '../processes/proc.js';
import type { WorkerReport } from '../processes/worker-report.js';
import { loadProject, type Project } from '../project/index.js';
import { resolveQueue } from '../project/plan.js';
import { liveHeartbeats, type WorkerHeartbeat } from '../temporal/workers.js';
import { waitingOn, type WaitItem } from './waiting.js';
import { workflowHandlers, type Handlers } from '../temporal/handlers.js';
import { configSmells, type Smell } from './smells.js';

/** Where a piece of evidence comes from (an event id or a log line says exactly where). */
export type Source =
  'history' | 'describe' | 'pollers' | 'worker-log' | 'result' | 'process' | 'code' | 'worker-report';

export interface EvidenceItem {
  source: Source;
  eventId?: number;
  line?: number;
  text: string;
}

export interface Evidence {
  desc: WorkflowDescription;
  failures: FailureRecord[];
  /** The last WorkflowTaskCompleted: a workflow-task failure before it has since been fixed. */
  lastTaskCompletedEventId?: number;
  close?: CloseInfo;
  workflowPollers: number;
  /** Live activity pollers per activity task queue of the pending activities. */
  activityPollers: Record<string, number>;
  workers: { pid: number; startedAtMs: number; taskQueue?: string; startedByTshell: boolean }[];
  /** The latest failed activation of this run in the project's worker log (the current reason). */
  workerLog?: { file: string; line: number; text: string };
  /** The latest failed attempt of the first failing pending activity, from the worker log. */
  activityLog?: { file: string; line: number; text: string; activityId: string };
  /** Newest modification time of the project's *.py files outside virtual envs. */
  newestSourceMs?: number;
  /** What the project's code says (discovery): Worker(...) calls, workflow and activity definitions. */
  code?: CodeFacts;
  /** What the running worker reported of itself (exact, where discovery only reads the code). */
  report?: WorkerReport;
  /** For a RUNNING workflow: its timers, activities, children, and the signals/updates it received. */
  waits?: WaitItem[];
  /** What a quiet RUNNING workflow declares (metadata query), when a worker answers. */
  handlers?: Handlers;
  /** Configuration smells read from the history's attributes. */
  smells?: Smell[];
  /** Its running child workflows, each with its own first finding (diagnosed the same way, depth ≤ 5). */
  children?: ChildDiagnosis[];
}

export interface ChildDiagnosis {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  /** The child's headline finding. */
  first?: { class: string; severity: string; summary: string; problem: boolean; evidence: EvidenceItem[] };
}

export interface CodeFacts {
  workers: {
    where: string;
    taskQueue?: { value?: string; source: string };
    workflows: string[] | null;
    activities: string[] | null;
  }[];
  workflows: { name: string; className: string; where: string; runParams: number | null; waits: string[] }[];
  activities: { name: string; function: string; where: string }[];
}

/** The project's code as discovery read it, in the shape the rules cite. */
export function codeFacts(project: Project): CodeFacts {
  const d = project.discovery;
  return {
    workers: d.workers.map((w) => ({
      where: `${w.file}:${w.line}`,
      taskQueue: resolveQueue(w.taskQueue, process.env),
      workflows: w.workflows,
      activities: w.activities,
    })),
    workflows: d.workflows.map((w) => ({
      name: w.name,
      className: w.className,
      where: `${w.file}:${w.line}`,
      runParams: w.runParams,
      waits: (w.waits ?? []).map((c) => `${w.file}:${c.line} ${c.text}`),
    })),
    activities: d.activities.map((a) => ({ name: a.name, function: a.function, where: `${a.file}:${a.line}` })),
  };
}

/** `file:line wait_condition(...)` of the workflow type's class: where a quiet run can be blocked. */
export function waitConditions(code: CodeFacts | undefined, workflowType: string): string[] {
  return code?.workflows.find((w) => w.name === workflowType)?.waits ?? [];
}

/** Newest modification time of the *.py files under dir, outside virtual envs and caches. */
export function newestPy(dir: string, depth = 0): number | undefined {
  if (depth > 6) return undefined;
  let newest: number | undefined;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const name of entries) {
    if (
      name.startsWith('.') ||
      name === 'node_modules' ||
      name === '__pycache__' ||
      name === 'venv' ||
      name === 'site-packages'
    )
      continue;
    const full = join(dir, name);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    const t = st.isDirectory() ? newestPy(full, depth + 1) : name.endsWith('.py') ? st.mtimeMs : undefined;
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

/**
 * What several diagnoses share (poller counts per queue, the project's workers, the newest source
 * file): `diagnose --all` asks each once, however many workflows it looks at.
 */
export class EvidenceCache {
  private readonly pollers = new Map<string, Promise<number>>();
  private workers?: Evidence['workers'];
  private newest?: { value?: number };
  private code?: { value?: CodeFacts };
  private beats?: Promise<WorkerHeartbeat[]>;
  /** One look at the process table for the whole gathering (each look reads all of /proc). */
  private procs?: ProcInfo[];
  private processes(): ProcInfo[] {
    return (this.procs ??= allProcs());
  }

  constructor(private readonly settings: Settings) {}

  pollerCount(h: TemporalHandle, queue: string, kind: 'workflow' | 'activity'): Promise<number> {
    const key = `${kind}\0${queue}`;
    let hit = this.pollers.get(key);
    if (!hit) {
      hit = livePollerCount(h, queue, kind, isAlive);
      this.pollers.set(key, hit);
    }
    return hit;
  }

  /**
   * This project's workers: the ones tshell knows from PID files and the process table, plus the
   * ones the server's heartbeats name whose process runs in the project (another terminal's).
   */
  async projectWorkers(h: TemporalHandle): Promise<Evidence['workers']> {
    if (this.workers) return this.workers;
    const procs = this.processes();
    const known = findProjectWorkers(this.settings, { procs }).workers;
    const workers: Evidence['workers'] = known.map((w) => ({
      pid: w.pid,
      startedAtMs: Date.now() - w.uptimeMs,
      taskQueue: w.taskQueue,
      startedByTshell: w.startedByTshell,
    }));
    this.beats ??= liveHeartbeats(h);
    const dirs = [this.settings.projectDir, this.settings.workerDir];
    const { owned, others } = matchHeartbeats(
      await this.beats,
      known.map((w) => w.pid),
      procs,
    );
    for (const { ownerPid, beat } of owned) {
      const row = workers.find((w) => w.pid === ownerPid);
      if (row && !row.taskQueue) row.taskQueue = beat.taskQueue;
    }
    for (const { beat, proc } of others) {
      const cwd = proc.cwd;
      if (cwd && dirs.some((d) => cwd === d || cwd.startsWith(`${d}/`)))
        workers.push({
          pid: beat.pid,
          startedAtMs: beat.startTime ? Date.parse(beat.startTime) : Date.now(),
          taskQueue: beat.taskQueue,
          startedByTshell: false,
        });
    }
    this.workers = workers;
    return workers;
  }

  codeFacts(): CodeFacts | undefined {
    this.code ??= {
      value: (() => {
        try {
          return codeFacts(loadProject(this.settings.projectDir, this.settings.stateDir));
        } catch {
          return undefined;
        }
      })(),
    };
    return this.code.value;
  }

  /** The report of this project's running tshell-started worker, when it made one. */
  workerReport(): WorkerReport | undefined {
    return runningWorkerReport(this.settings, this.processes());
  }

  newestSourceMs(): number | undefined {
    this.newest ??= { value: newestPy(this.settings.projectDir) };
    return this.newest.value;
  }
}

export async function gatherEvidence(
  h: TemporalHandle,
  settings: Settings,
  workflowId: string,
  runId?: string,
  cache = new EvidenceCache(settings),
): Promise<Evidence> {
  const desc = await describeWorkflow(h, workflowId, runId);
  // Everything else the server is asked depends only on the description: asked at once, not in turn.
  const queues = [...new Set(desc.pendingActivities.map((a) => a.taskQueue ?? desc.taskQueue))];
  const [events, close, workflowPollers, activityCounts, workers] = await Promise.all([
    fetchHistory(h, desc.workflowId, desc.runId),
    desc.status !== 'RUNNING' ? fetchCloseEvent(h, desc.workflowId, desc.runId) : undefined,
    cache.pollerCount(h, desc.taskQueue, 'workflow'),
    Promise.all(queues.map((q) => cache.pollerCount(h, q, 'activity'))),
    cache.projectWorkers(h),
  ]);
  const failures = failuresIn(events, settings.projectDir);
  const lastTaskCompletedEventId = events.reduce<number | undefined>(
    (last, e) => (eventTypeName(e) === 'WorkflowTaskCompleted' ? eventId(e) : last),
    undefined,
  );
  const activityPollers = Object.fromEntries(queues.map((q, i) => [q, activityCounts[i] ?? 0]));
  let workerLog: Evidence['workerLog'];
  let activityLog: Evidence['activityLog'];
  const failingActivity = desc.pendingActivities.find((a) => a.lastFailure);
  if (desc.status === 'RUNNING' && (failingActivity || failures.some((f) => f.kind === 'WorkflowTaskFailed'))) {
    const log = readWorkerLogSinceStart(settings);
    const at = latestActivationFailureAt(log.lines, desc.runId, log.firstLine);
    if (at) workerLog = { file: log.file, ...at };
    const act =
      failingActivity &&
      latestActivityFailureAt(log.lines, desc.runId, failingActivity.activityId, settings.projectDir, log.firstLine);
    if (act && failingActivity) activityLog = { file: log.file, ...act, activityId: failingActivity.activityId };
  }
  // A quiet running workflow: ask it (when a worker polls) what it declares and where it blocks.
  const quiet =
    desc.status === 'RUNNING' &&
    workflowPollers > 0 &&
    !failingActivity &&
    !(desc.pendingWorkflowTask && desc.pendingWorkflowTask.attempt > 1);
  const handlers = quiet ? await workflowHandlers(h, desc.workflowId, desc.runId, 2) : undefined;
  const report = cache.workerReport();
  const waits =
    desc.status === 'RUNNING'
      ? waitingOn(events, desc, { handlers, conditions: waitConditions(cache.codeFacts(), desc.type) })
      : undefined;
  return {
    desc,
    failures,
    lastTaskCompletedEventId,
    workerLog,
    activityLog,
    close,
    workflowPollers,
    activityPollers,
    workers,
    newestSourceMs: cache.newestSourceMs(),
    code: cache.codeFacts(),
    ...(report ? { report } : {}),
    ...(waits ? { waits } : {}),
    ...(handlers ? { handlers } : {}),
    smells: configSmells(events, desc),
  };
}
