// Worker commands: ensure-worker, kill-worker, kill-all-workers, list-workers.
import { projectKey } from '../config/state-dir.js';
import { HELPER_STATUS_FIELDS, helperStatus, stopHelper, type HelperStatus } from '../processes/helper.js';
import { basename } from 'node:path';
import { ensureWorker, type EnsureWorkerResult } from '../processes/worker.js';
import {
  findProjectWorkers,
  listAllWorkers,
  matchHeartbeats,
  stopWorkers,
  tshellWorkers,
  type StalePidFile,
  type StoppedWorker,
  type WorkerProcess,
} from '../processes/worker-find.js';
import { serverState, stopServer, type StopServerResult } from '../processes/server.js';
import { card, formatDuration, helperLine, shortId, table } from '../render/format.js';
import { withLock } from '../processes/lock.js';
import type { Style } from '../render/style.js';
import { WORKER_START } from '../cli-model/option-sets.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';
import { UsageError } from '../errors.js';
import { gateRestart } from './determinism.js';
import { chooseWorkerCommand, consentToRunCode, consentToStop, consentToStopServer } from './resolve.js';
import type { GateResult } from '../diagnosis/determinism-gate.js';
import { allProcs, startedAtMs, type ProcInfo } from '../processes/proc.js';
import { tcpProbe } from '../temporal/connection.js';
import { workerHeartbeats } from '../temporal/workers.js';

function staleLines(s: Style, stale: StalePidFile[]): string[] {
  return stale.map(
    (st) => `${s.warn} removed stale PID file ${basename(st.file)} (pid ${st.pid}: ${st.reason}; not signalled)`,
  );
}

function stoppedLines(s: Style, stopped: StoppedWorker[]): string[] {
  return stopped.map(
    (w) =>
      `${s.ok} stopped worker pid ${w.pid}${w.startedByTshell ? '' : ' (not started by tshell)'} with ${w.how}: ${shortId(w.command, 60)}`,
  );
}

/** ✓ only when every running workflow was replayed and replays; anything else says what it is. */
function gateLine(s: Style, g: GateResult): string {
  const head = `replayed ${g.checked} of ${g.total} running workflow(s) on ${g.taskQueue} against the new code`;
  if (g.diverged.length) return `${s.warn} ${head}: ${g.diverged.length} diverge (restarted anyway)`;
  if (g.unchecked.length) return `${s.warn} ${head}: ${g.unchecked.length} not checked (restarted anyway)`;
  return `${s.ok} ${head}: all replay`;
}

export const ensureWorkerCommand = defineCommand({
  name: 'ensure-worker',
  aliases: ['restart-worker'],
  group: 'workers',
  effect: 'destructive',
  summary: "Stop this project's workers and start one fresh worker, ready when it polls",
  examples: ['ensure-worker', 'ensure-worker --worker-cmd "uv run python -m app.worker" --task-queue orders'],
  flags: [
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 90,
      metavar: 'SECONDS',
      description: 'how long to wait for the worker to poll',
    },
    {
      name: 'force',
      type: 'boolean',
      description: 'restart even when running workflows cannot replay the changed code',
    },
    ...WORKER_START,
  ],
  fields: {
    project: 'project name',
    projectDir: 'project dir',
    pid: 'the new worker pid',
    taskQueue: 'its task queue',
    pollerIdentity: 'the poller that proved it ready',
    readyMs: 'time to ready',
    logFile: 'worker log',
    command: 'worker command',
    stopped: 'workers stopped first: {pid, command, startedByTshell, how, ...}',
    stalePidFiles: 'stale PID files removed: {file, pid, reason}',
    gate: 'the determinism gate when the code changed: {taskQueue, total, checked, diverged[{workflowId, runId, eventId, eventType, reason, resetTo}], unchecked[{workflowId, runId, why}], skipped}',
    environment:
      "tshell's own environment the worker ran in, when the project has no .venv: {dir, from (uv.lock|pyproject.toml), builtMs (when built now), notInstalled}",
    report:
      'what the worker reported of itself: {pid, taskQueue, namespace, target, identity, workflows[], activities[], sdk, state, runningAt, files[] (its loaded source outside its environment), workflowFiles[] (of those, what its workflows live in or use)}',
  },
  async run(ctx, args): Promise<EnsureWorkerResult & { gate?: GateResult }> {
    const settings = await chooseWorkerCommand(ctx, args.flags.worker);
    await consentToRunCode(ctx, settings.workerDir, settings.workerCmd);
    // Changed workflow code: the running workflows must still replay on it before the old worker goes.
    const gate = await gateRestart(ctx, settings, Boolean(args.flags.force), args.flags['gate-timeout'] * 1000);
    // One supervisor per project at a time: a second ensure-worker waits, then replaces the first's worker.
    const ready = await withLock(
      settings.stateDir,
      `worker-${projectKey(settings)}`,
      'ensure-worker',
      () =>
        ensureWorker(settings, {
          timeoutMs: args.flags.timeout * 1000,
          signal: ctx.signal,
          progress: (l) => ctx.progress(l),
          approve: (workers) => consentToStop(ctx, workers),
        }),
      {
        signal: ctx.signal,
        onWait: (pid) => ctx.progress(`waiting for tshell pid ${pid}, which is starting this project's worker…`),
      },
    );
    return { ...ready, ...(gate && !gate.skipped ? { gate } : {}) };
  },
  render(d, s) {
    return [
      ...staleLines(s, d.stalePidFiles),
      ...stoppedLines(s, d.stopped),
      ...(d.gate ? [gateLine(s, d.gate)] : []),
      ...(d.environment?.builtMs !== undefined
        ? [
            `${s.ok} built tshell's environment for this project from ${d.environment.from} in ${formatDuration(d.environment.builtMs)} (it has no .venv; nothing was written into it)`,
          ]
        : []),
      `${s.ok} worker ready in ${formatDuration(d.readyMs)}: pid ${d.pid} polls task queue ${d.taskQueue} as ${d.pollerIdentity}`,
      card(s, [
        ['project', `${d.project} (${d.projectDir})`],
        ['command', d.command],
        ...(d.environment
          ? [
              [
                'environment',
                `${d.environment.dir} (tshell's, from ${d.environment.from}${d.environment.notInstalled ? `; the project is on PYTHONPATH, not installed: ${d.environment.notInstalled}` : ''})`,
              ] as [string, string],
            ]
          : []),
        ...(d.report
          ? [
              [
                'registers',
                `${d.report.workflows.length} workflow(s), ${d.report.activities.length} activit${d.report.activities.length === 1 ? 'y' : 'ies'}${d.report.sdk ? ` (temporalio ${d.report.sdk})` : ''}`,
              ] as [string, string],
            ]
          : []),
        ['log', d.logFile],
      ]),
    ].join('\n');
  },
});

interface KillResult {
  project: string;
  stopped: StoppedWorker[];
  stalePidFiles: StalePidFile[];
  server?: StopServerResult;
  /** With --include-server: the warm helper, stopped too (pid), or absent. */
  helper?: { pid: number } | null;
}

function renderKill(d: KillResult, s: Style): string {
  const lines = [...staleLines(s, d.stalePidFiles), ...stoppedLines(s, d.stopped)];
  if (d.stopped.length === 0) lines.push(`${s.ok} no worker running for ${d.project}`);
  if (d.server) lines.push(`${d.server.stopped ? s.ok : s.warn} server at ${d.server.address}: ${d.server.reason}`);
  if (d.helper) lines.push(`${s.ok} stopped the warm helper (pid ${d.helper.pid})`);
  return lines.join('\n');
}

export const killWorkerCommand = defineCommand({
  name: 'kill-worker',
  aliases: ['stop-worker'],
  group: 'workers',
  effect: 'destructive',
  summary: "Stop this project's workers (started by tshell or found running in the project)",
  flags: [],
  fields: {
    project: 'project name',
    stopped: 'workers stopped: {pid, command, startedByTshell, how, ...}',
    stalePidFiles: 'stale PID files removed: {file, pid, reason}',
  },
  async run(ctx): Promise<KillResult> {
    return withLock(
      ctx.settings.stateDir,
      `worker-${projectKey(ctx.settings)}`,
      'kill-worker',
      async () => {
        const found = findProjectWorkers(ctx.settings);
        await consentToStop(ctx, found.workers);
        return {
          project: ctx.settings.projectName,
          stopped: await stopWorkers(found.workers),
          stalePidFiles: found.stale,
        };
      },
      { signal: ctx.signal },
    );
  },
  render: renderKill,
});

export const killAllWorkersCommand = defineCommand({
  name: 'kill-all-workers',
  group: 'workers',
  effect: 'destructive',
  summary: 'Stop the workers of every project tshell started (and optionally its server)',
  flags: [{ name: 'include-server', type: 'boolean', description: 'also stop the dev server tshell started' }],
  fields: {
    project: 'any project',
    stopped: 'workers stopped',
    stalePidFiles: 'stale PID files removed',
    server: 'with --include-server: {address, stopped, pid, reason}',
    helper: 'with --include-server: {pid} of the warm helper stopped, or null',
  },
  async run(ctx, args): Promise<KillResult> {
    // This project's workers (also those started by hand) and every worker tshell started.
    const own = findProjectWorkers(ctx.settings);
    const started = tshellWorkers(ctx.settings);
    const targets = [...own.workers, ...started.live.filter((w) => !own.workers.some((o) => o.pid === w.pid))];
    // Every consent before anything stops: a refused one leaves everything as it was.
    const managed = args.flags['include-server'] ? (await serverState(ctx.settings)).managed : undefined;
    if (managed) await consentToStopServer(ctx, { address: ctx.settings.address, pid: managed.pid });
    await consentToStop(ctx, targets);
    const stopped = await stopWorkers(targets);
    const stale = [...own.stale, ...started.stale];
    const sameServer = async (t: { pid: number }) => {
      if (t.pid !== managed?.pid)
        throw new UsageError(
          `the server at ${ctx.settings.address} changed (pid ${t.pid}) since it was confirmed: not stopped`,
        );
    };
    const server = args.flags['include-server'] ? await stopServer(ctx.settings, sameServer) : undefined;
    // Everything tshell started goes: the warm helper too (the next one-shot starts it again).
    const helper = args.flags['include-server'] ? await stopHelper(ctx.settings.stateDir) : undefined;
    return {
      project: 'any project',
      stopped,
      stalePidFiles: stale,
      server,
      ...(args.flags['include-server'] ? { helper: helper ? { pid: helper.pid } : null } : {}),
    };
  },
  render: renderKill,
});

interface ListedWorker extends WorkerProcess {
  /** Where tshell learned of it: its PID file, the process table, or the server's heartbeats. */
  seenBy: 'pid-file' | 'process' | 'heartbeat';
  cwd?: string;
}

interface ListWorkersResult {
  workers: ListedWorker[];
  stalePidFiles: StalePidFile[];
  /** Whether the server's worker heartbeats were asked (the server may be down). */
  heartbeats: boolean;
  /** The server or namespace keeps no worker heartbeats: rows come from PID files and processes only. */
  heartbeatsUnavailable?: string;
  /** tshell's own warm helper, when it runs (not a worker, but a process of tshell's). */
  helper?: HelperStatus;
}

/**
 * Workers the server heard from (fresh heartbeats) on this machine: the queue of the listed ones,
 * and the ones started elsewhere (another terminal, another folder) as rows of their own.
 */
async function withHeartbeats(
  ctx: CommandContext,
  listed: ListedWorker[],
  procs: ProcInfo[],
): Promise<{ asked: boolean; unavailable?: string }> {
  // Nothing listening: no client loaded (list-workers stays quick). A refused local connect is at once;
  // reading /proc/net/tcp instead took 2 ms a file here (the kernel walks its whole socket table).
  if (!(await tcpProbe(ctx.settings.address, 300))) return { asked: false };
  const hb = await workerHeartbeats(await ctx.temporal());
  if (hb.unavailable) return { asked: false, unavailable: hb.unavailable };
  const { owned, others } = matchHeartbeats(
    hb.beats,
    listed.filter((w) => w.alive).map((w) => w.pid),
    procs,
  );
  for (const { ownerPid, beat } of owned) {
    const owner = listed.find((w) => w.pid === ownerPid);
    if (owner) owner.taskQueue ??= beat.taskQueue;
  }
  for (const { beat, proc } of others) {
    listed.push({
      project: basename(proc.cwd ?? '?'),
      pid: beat.pid,
      alive: true,
      uptimeMs: Date.now() - startedAtMs(proc),
      command: proc.argv.join(' '),
      startedByTshell: false,
      taskQueue: beat.taskQueue,
      seenBy: 'heartbeat',
      ...(proc.cwd ? { cwd: proc.cwd } : {}),
    });
  }
  return { asked: true };
}

export const listWorkersCommand = defineCommand({
  name: 'list-workers',
  warm: true,
  aliases: ['workers', 'lw'],
  group: 'workers',
  effect: 'read',
  summary: 'Table of live workers: project, pid, uptime, command, log file',
  flags: [],
  fields: {
    workers:
      '{project, pid, alive, uptimeMs, command, startedByTshell, logFile, pidFile, taskQueue, seenBy: pid-file|process|heartbeat, cwd}',
    stalePidFiles: 'stale PID files removed: {file, pid, reason}',
    heartbeats: "the server's worker heartbeats were consulted (false when it is down or keeps none)",
    heartbeatsUnavailable:
      'why the server has no heartbeats to consult (workers started elsewhere cannot be listed then)',
    helper: `${HELPER_STATUS_FIELDS}: the warm helper, when it runs`,
  },
  async run(ctx): Promise<ListWorkersResult> {
    const procs = allProcs(); // one look at the process table (each reads all of /proc)
    const { workers, stale } = listAllWorkers(ctx.settings, procs);
    const listed: ListedWorker[] = workers.map((w) => ({ ...w, seenBy: w.pidFile ? 'pid-file' : 'process' }));
    const heartbeats = await withHeartbeats(ctx, listed, procs);
    const helper = helperStatus(ctx.settings.stateDir);
    return {
      workers: listed,
      stalePidFiles: stale,
      heartbeats: heartbeats.asked,
      ...(heartbeats.unavailable ? { heartbeatsUnavailable: heartbeats.unavailable } : {}),
      ...(helper.running ? { helper } : {}),
    };
  },
  render(d, s) {
    const lines = [
      ...staleLines(s, d.stalePidFiles),
      ...(d.heartbeatsUnavailable ? [`${s.warn} ${d.heartbeatsUnavailable}`] : []),
    ];
    const helper = d.helper ? [s.c.dim(`warm helper: ${helperLine(d.helper)}`)] : [];
    if (d.workers.length === 0) return [...lines, 'no workers running', ...helper].join('\n');
    lines.push(
      table(
        s,
        ['project', 'pid', 'uptime', 'alive', 'queue', 'command', 'log'],
        d.workers.map((w) => [
          w.project,
          w.pid,
          formatDuration(w.uptimeMs),
          w.alive ? s.c.green('yes') : s.c.red('no'),
          w.taskQueue ?? '-',
          shortId(w.command, 40) +
            (w.startedByTshell
              ? ''
              : s.c.dim(w.seenBy === 'heartbeat' ? ` (heartbeat; in ${w.cwd ?? '?'})` : ' (not started by tshell)')),
          w.logFile ?? '-',
        ]),
      ),
    );
    return [...lines, ...helper].join('\n');
  },
});
