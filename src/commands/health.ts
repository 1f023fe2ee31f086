// Monitoring, the queue side: is the server, the worker and its queue healthy, and who polls a queue.
import { hostname } from 'node:os';
import { ExitCode, UsageError } from '../errors.js';
import { isAlive, processTree, rssBytes } from '../processes/proc.js';
import { serverHealthy } from '../temporal/connection.js';
import { errorBlocks, readWorkerLogSinceStart, type LogBlock } from '../processes/worker-log.js';
import { findProjectWorkers } from '../processes/worker-find.js';
import { formatDuration, formatTime, table } from '../render/format.js';
import { describeQueue, isLiveNow, pollersOf, type PollerInfo } from '../temporal/task-queue.js';
import { workerHeartbeats, type WorkerHeartbeat } from '../temporal/workers.js';
import { heartbeatOfTree } from '../processes/worker-find.js';
import { describeWorkflow } from '../temporal/workflows.js';
import { defineCommand } from '../cli-model/types.js';

interface HealthData {
  project: string;
  server: { address: string; reachable: boolean };
  worker?: {
    pid: number;
    alive: boolean;
    uptimeMs: number;
    rssBytes?: number;
    startedByTshell: boolean;
    taskQueue?: string;
    logFile?: string;
  };
  pollers: { taskQueue?: string; workflow: PollerInfo[]; activity: PollerInfo[] };
  logErrors: LogBlock[];
  deadWorker?: { pid: number; pidFile: string };
  /** The worker's own heartbeat, when the server has one from its process tree. */
  heartbeat?: WorkerHeartbeat;
  /** The server or namespace keeps no worker heartbeats: the pollers are what says the worker serves. */
  heartbeatsUnavailable?: string;
}

export const healthCommand = defineCommand({
  name: 'health',
  warm: true,
  group: 'monitoring',
  effect: 'read',
  summary: "This project's worker (alive, uptime, memory), its pollers, the errors in its log, the server",
  flags: [],
  fields: {
    project: 'project name',
    server: '{address, reachable}',
    worker:
      'the worker process: pid, alive, uptimeMs, rssBytes, startedByTshell, taskQueue, logFile (absent when none runs)',
    pollers: '{taskQueue, workflow[], activity[]} pollers with identity and lastAccessTime',
    logErrors: 'error lines and tracebacks in the worker log since it started: {line, text[]}',
    deadWorker: '{pid, pidFile} of a tshell worker found dead (killed or crashed)',
    heartbeat:
      "the worker's heartbeat: {identity, pid, taskQueue, buildId, sdk, startTime, heartbeatTime, workflowTasksProcessed, workflowTasksFailed, activityTasksProcessed, activityTasksFailed}",
    heartbeatsUnavailable: 'why the server has no heartbeats (pollers only)',
  },
  async run(ctx): Promise<HealthData> {
    const reachable = await serverHealthy(ctx.settings);
    const found = findProjectWorkers(ctx.settings);
    const w = found.workers[0];
    const dead = found.stale.find((s) => s.reason === 'process is gone');
    const taskQueue = w?.taskQueue ?? (ctx.settings.taskQueue || undefined);
    const pollers: HealthData['pollers'] = { taskQueue, workflow: [], activity: [] };
    let heartbeat: WorkerHeartbeat | undefined;
    let heartbeatsUnavailable: string | undefined;
    if (reachable && taskQueue) {
      const h = await ctx.temporal();
      pollers.workflow = await pollersOf(h, taskQueue, 'workflow');
      pollers.activity = await pollersOf(h, taskQueue, 'activity');
    }
    if (reachable && w) {
      // The server's view of this worker: tasks it processed and failed, its build id.
      const hb = await workerHeartbeats(await ctx.temporal());
      heartbeatsUnavailable = hb.unavailable;
      heartbeat = heartbeatOfTree(hb.beats, w.pid);
    }
    const log = w?.startedByTshell ? readWorkerLogSinceStart(ctx.settings) : undefined;
    return {
      project: ctx.settings.projectName,
      server: { address: ctx.settings.address, reachable },
      worker: w
        ? {
            pid: w.pid,
            alive: w.alive,
            uptimeMs: w.uptimeMs,
            rssBytes: rssBytes(w.pid),
            startedByTshell: w.startedByTshell,
            taskQueue,
            logFile: w.logFile,
          }
        : undefined,
      pollers,
      logErrors: log ? errorBlocks(log.lines, log.firstLine) : [],
      deadWorker: !w && dead ? { pid: dead.pid, pidFile: dead.file } : undefined,
      ...(heartbeat ? { heartbeat } : {}),
      ...(heartbeatsUnavailable ? { heartbeatsUnavailable } : {}),
    };
  },
  render(d, s) {
    const lines = [
      `${d.server.reachable ? s.ok : s.fail} server ${d.server.address} ${d.server.reachable ? 'reachable' : 'not reachable (ensure-server)'}`,
    ];
    if (d.deadWorker)
      lines.push(
        `${s.fail} worker pid ${d.deadWorker.pid} is dead (killed or crashed); its PID file was removed (ensure-worker)`,
      );
    else if (!d.worker) lines.push(`${s.fail} no worker running for ${d.project} (ensure-worker)`);
    else {
      lines.push(
        `${s.ok} worker pid ${d.worker.pid} up ${formatDuration(d.worker.uptimeMs)}${d.worker.rssBytes ? `, ${Math.round(d.worker.rssBytes / 1048576)} MB` : ''}${d.worker.startedByTshell ? '' : ' (not started by tshell)'}`,
      );
      const b = d.heartbeat;
      if (d.heartbeatsUnavailable) lines.push(`${s.warn} ${d.heartbeatsUnavailable}`);
      if (b)
        lines.push(
          s.c.dim(
            `  heartbeat ${formatTime(b.heartbeatTime)}: workflow tasks ${b.workflowTasksProcessed ?? '?'} done / ${b.workflowTasksFailed ?? '?'} failed, activity tasks ${b.activityTasksProcessed ?? '?'} done / ${b.activityTasksFailed ?? '?'} failed${b.buildId ? `, build ${b.buildId.slice(0, 12)}` : ''}`,
          ),
        );
    }
    if (d.pollers.taskQueue) {
      const all = [
        ...d.pollers.workflow.map((p) => ['workflow', p] as const),
        ...d.pollers.activity.map((p) => ['activity', p] as const),
      ];
      lines.push(
        all.length
          ? table(
              s,
              ['queue type', 'identity', 'last access'],
              all.map(([t, p]) => [t, p.identity, p.lastAccessTime ?? '-']),
            )
          : `${s.fail} no pollers on task queue ${d.pollers.taskQueue}`,
      );
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
// ---- task-queue -----------------------------------------------------------------------------

interface QueuePoller extends PollerInfo {
  type: 'workflow' | 'activity';
  live: boolean;
  localProcess?: string;
}

export const taskQueueCommand = defineCommand({
  name: 'task-queue',
  warm: true,
  aliases: ['tq'],
  group: 'monitoring',
  effect: 'read',
  summary: 'Pollers of a task queue (workflow and activity), which local process each is, and the backlog',
  examples: ['task-queue', 'task-queue hello-tasks --json'],
  flags: [],
  positionals: [{ name: 'name', description: "the task queue (default: the current workflow's)" }],
  fields: {
    taskQueue: 'the queue',
    pollers: '{type, identity, lastAccessTime, live, localProcess}',
    backlog: '{workflow, activity} approximate backlog counts',
    workers:
      "the queue's workers from their heartbeats: {identity, pid, hostName, buildId, sdk, startTime, heartbeatTime, workflowTasksProcessed, workflowTasksFailed, activityTasksProcessed, activityTasksFailed}",
    heartbeatsUnavailable: 'why the server has no heartbeats (pollers only)',
  },
  async run(
    ctx,
    args,
  ): Promise<{
    taskQueue: string;
    pollers: QueuePoller[];
    backlog?: { workflow?: number; activity?: number };
    workers: WorkerHeartbeat[];
    heartbeatsUnavailable?: string;
  }> {
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
    ].map((p) => ({ ...p, live: isLiveNow(p, isAlive), localProcess: describePid(p.identity) }));
    // The heartbeats add what pollers cannot say: build id, SDK, tasks processed and failed.
    const queue = name;
    const hb = await workerHeartbeats(h);
    return {
      taskQueue: name,
      pollers,
      backlog: info.backlog,
      workers: hb.beats.filter((b) => b.taskQueue === queue),
      ...(hb.unavailable ? { heartbeatsUnavailable: hb.unavailable } : {}),
    };
  },
  render(d, s) {
    const lines = [
      `task queue ${s.c.bold(d.taskQueue)}${d.backlog ? s.c.dim(` (backlog: workflow ${d.backlog.workflow ?? '?'}, activity ${d.backlog.activity ?? '?'})`) : ''}`,
    ];
    if (d.pollers.length === 0) lines.push(`${s.fail} no pollers: no worker is serving this queue`);
    else
      lines.push(
        table(
          s,
          ['type', 'identity', 'last access', 'live', 'process'],
          d.pollers.map((p) => [
            p.type,
            p.identity,
            p.lastAccessTime ?? '-',
            p.live ? s.c.green('yes') : s.c.red('no'),
            p.localProcess ?? '-',
          ]),
        ),
      );
    if (d.heartbeatsUnavailable) lines.push(`${s.warn} ${d.heartbeatsUnavailable}`);
    for (const w of d.workers) {
      lines.push(
        s.c.dim(
          `worker ${w.identity}${w.buildId ? ` build ${w.buildId.slice(0, 12)}` : ''}${w.sdk ? ` (${w.sdk})` : ''}: workflow tasks ${w.workflowTasksProcessed ?? '?'} done / ${w.workflowTasksFailed ?? '?'} failed, activity tasks ${w.activityTasksProcessed ?? '?'} done / ${w.activityTasksFailed ?? '?'} failed (heartbeat ${formatTime(w.heartbeatTime)})`,
        ),
      );
    }
    return lines.join('\n');
  },
  exitCode: (d) => (d.pollers.some((p) => p.live) ? ExitCode.ok : ExitCode.failure),
});
