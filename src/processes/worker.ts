// Supervision of the project's Python worker: find every worker of the project (verified PID file,
// and live processes whose cwd is the project and whose command line is the worker command), stop
// them, start one fresh worker, and call it ready only when a poller of its own process tree shows
// up on its task queue.
import { constants as osConstants } from 'node:os';
import { basename } from 'node:path';
import type { Settings } from '../config/settings.js';
import { workerFiles } from '../config/state-dir.js';
import { ProcessError, TshellError, ErrorCodes } from '../errors.js';
import { connectFor } from '../temporal/connection.js';
import { pollersOf, type PollerInfo } from '../temporal/task-queue.js';
import { isLocalHeartbeat, liveHeartbeats, workerHeartbeats, type WorkerHeartbeat } from '../temporal/workers.js';
import { checkPidFile, pidFilesIn, removePidFile, writePidFile, type PidRecord } from './pidfile.js';
import { allProcs, processTree, readProc, sleep, startedAtMs, treePids, type ProcInfo } from './proc.js';
import { logTail, readLogSince, release, spawnDetached, splitCommand } from './spawn.js';
import { childEnv } from './tools.js';
import { prepareRunEnv, projectRunEnv, type ManagedEnvironment } from './project-env.js';
import { stopProcessTree, type StopResult } from './terminate.js';
import { readWorkerReport, reportEnv, workerReportFile, type WorkerReport } from './worker-report.js';

export interface WorkerProcess {
  project: string;
  pid: number;
  alive: boolean;
  uptimeMs: number;
  command: string;
  startedByTshell: boolean;
  logFile?: string;
  pidFile?: string;
  taskQueue?: string;
}

export interface StalePidFile {
  file: string;
  pid: number;
  reason: string;
}

/** Does this command line run the project's worker command? */
export function matchesWorkerCommand(argv: string[], workerArgv: string[], projectDir: string): boolean {
  if (argv.length === 0 || workerArgv.length === 0) return false;
  const same =
    argv.length === workerArgv.length &&
    basename(argv[0] ?? '') === basename(workerArgv[0] ?? '') &&
    argv.slice(1).every((a, i) => a === workerArgv[i + 1]);
  if (same) return true;
  // The script itself, e.g. `.venv/bin/python .venv/bin/worker` run without uv.
  const script = argv[1];
  const last = workerArgv[workerArgv.length - 1];
  return (
    /^python[\d.]*$/.test(basename(argv[0] ?? '')) &&
    script !== undefined &&
    basename(script) === last &&
    (script.startsWith(projectDir) || !script.startsWith('/'))
  );
}

function toWorker(project: string, proc: ProcInfo, extra: Partial<WorkerProcess>): WorkerProcess {
  return {
    project,
    pid: proc.pid,
    alive: true,
    uptimeMs: Date.now() - startedAtMs(proc),
    command: proc.argv.join(' '),
    startedByTshell: false,
    ...extra,
  };
}

type LiveWorker = WorkerProcess & { proc: ProcInfo };

/**
 * What one worker PID file says, checked against the process table: a live worker, or a stale file
 * (removed here; its pid is never signalled) and, when the process is gone, a dead worker to report once.
 */
function checkWorkerPidFile(
  file: string,
  tidy = true,
): { live?: LiveWorker; stale?: StalePidFile; dead?: WorkerProcess } {
  const check = checkPidFile(file);
  if (check.state === 'alive') {
    const project = check.record.project ?? basename(file);
    return {
      live: {
        ...toWorker(project, check.proc, {
          startedByTshell: true,
          logFile: check.record.logFile,
          pidFile: file,
          taskQueue: check.record.taskQueue,
        }),
        proc: check.proc,
      },
    };
  }
  if (check.state === 'unreadable') return {};
  if (tidy) removePidFile(file);
  const project = check.record.project ?? basename(file);
  if (check.state === 'reused') {
    return {
      stale: {
        file,
        pid: check.record.pid,
        reason: `pid now belongs to another program (${basename(check.proc.argv[0] ?? '?')})`,
      },
    };
  }
  return {
    stale: { file, pid: check.record.pid, reason: 'process is gone' },
    dead: {
      project,
      pid: check.record.pid,
      alive: false,
      uptimeMs: 0,
      command: check.record.argv.join(' '),
      startedByTshell: true,
      logFile: check.record.logFile,
      pidFile: file,
    },
  };
}

/** Every worker tshell started, of any project, from the PID dir. */
export function tshellWorkers(settings: Settings): {
  live: LiveWorker[];
  stale: StalePidFile[];
  dead: WorkerProcess[];
} {
  const out = { live: [] as LiveWorker[], stale: [] as StalePidFile[], dead: [] as WorkerProcess[] };
  for (const file of pidFilesIn(settings.pidDir, 'worker-')) {
    const r = checkWorkerPidFile(file);
    if (r.live) out.live.push(r.live);
    if (r.stale) out.stale.push(r.stale);
    if (r.dead) out.dead.push(r.dead);
  }
  return out;
}

export interface FoundWorkers {
  workers: (WorkerProcess & { proc: ProcInfo })[];
  stale: StalePidFile[];
}

/**
 * Every live worker of this project; stale PID files are removed and reported. With `tidy: false`
 * nothing is removed (a look that must leave the reporting to the command that acts).
 */
export function findProjectWorkers(settings: Settings, opts: { tidy?: boolean } = {}): FoundWorkers {
  const { pidFile } = workerFiles(settings);
  const workers: FoundWorkers['workers'] = [];
  const stale: StalePidFile[] = [];
  const procs = allProcs();
  const claimed = new Set<number>();
  const own = checkWorkerPidFile(pidFile, opts.tidy ?? true);
  if (own.live) {
    workers.push(own.live);
    for (const p of processTree(own.live.pid, procs)) claimed.add(p.pid);
  }
  if (own.stale) stale.push(own.stale);
  let workerArgv: string[] = [];
  try {
    workerArgv = splitCommand(settings.workerCmd, 'worker command');
  } catch {
    workerArgv = [];
  }
  const matches = procs.filter(
    (p) =>
      !claimed.has(p.pid) &&
      p.pid !== process.pid &&
      p.cwd === settings.workerDir &&
      matchesWorkerCommand(p.argv, workerArgv, settings.workerDir),
  );
  // Keep only the top of each matching tree (uv's python child is part of uv's worker).
  const matchPids = new Set(matches.map((m) => m.pid));
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const hasMatchingAncestor = (p: ProcInfo): boolean => {
    let cur = byPid.get(p.ppid);
    for (let depth = 0; cur && depth < 64; depth++, cur = byPid.get(cur.ppid)) if (matchPids.has(cur.pid)) return true;
    return false;
  };
  for (const m of matches) {
    if (!hasMatchingAncestor(m)) workers.push({ ...toWorker(settings.projectName, m, {}), proc: m });
  }
  return { workers, stale };
}

/** Workers of every project that has a PID file in the PID dir (stale files removed). */
export function listAllWorkers(settings: Settings): { workers: WorkerProcess[]; stale: StalePidFile[] } {
  const started = tshellWorkers(settings);
  const own = findProjectWorkers(settings);
  const byHand = own.workers.filter((w) => !w.startedByTshell);
  return {
    workers: [...started.live, ...started.dead, ...byHand].map(stripProc),
    stale: [...started.stale, ...own.stale],
  };
}

function stripProc(w: WorkerProcess & { proc?: ProcInfo }): WorkerProcess {
  const { proc: _proc, ...rest } = w;
  return rest;
}

export interface StoppedWorker extends WorkerProcess, StopResult {}

export async function stopWorkers(found: FoundWorkers['workers']): Promise<StoppedWorker[]> {
  const results = await Promise.all(found.map(async (w) => ({ ...stripProc(w), ...(await stopProcessTree(w.proc)) })));
  for (const w of found) if (w.pidFile) removePidFile(w.pidFile);
  return results.map((r) => ({ ...r, alive: false }));
}

export interface EnsureWorkerResult {
  project: string;
  projectDir: string;
  pid: number;
  taskQueue: string;
  pollerIdentity: string;
  readyMs: number;
  logFile: string;
  command: string;
  stopped: StoppedWorker[];
  stalePidFiles: StalePidFile[];
  /** What the worker reported of itself (queue, namespace, registrations, SDK), when it did. */
  report?: WorkerReport;
  /** tshell's own environment it ran in, when the project has none (a uv project with no .venv). */
  environment?: ManagedEnvironment;
}

const TASK_QUEUE_LINE = /listening on task queue:?\s*["']?([\w.\-:/@]+)/i;

export function taskQueueFromLog(text: string): string | undefined {
  return TASK_QUEUE_LINE.exec(text)?.[1];
}

/**
 * The signal that ended a process: its own, or the one a wrapper reports as 128 + N (uv, a shell
 * script), so a SIGTERM from elsewhere is said as one and not as "exit code 143".
 */
export function exitSignal(exit: { code: number | null; signal: string | null }): string | undefined {
  if (exit.signal) return exit.signal;
  if (exit.code === null || exit.code <= 128 || exit.code >= 160) return undefined;
  return Object.entries(osConstants.signals).find(([, n]) => n === (exit.code ?? 0) - 128)?.[0];
}

export function identityPid(identity: string): number | undefined {
  const m = /^(\d+)@/.exec(identity);
  return m ? Number(m[1]) : undefined;
}

export async function ensureWorker(
  settings: Settings,
  opts: {
    timeoutMs?: number;
    signal?: AbortSignal;
    progress?: (l: string) => void;
    /** Asked with the workers about to be stopped (throws to keep them). */
    approve?: (workers: WorkerProcess[]) => Promise<void>;
  },
): Promise<EnsureWorkerResult> {
  const argv = splitCommand(settings.workerCmd, 'worker command');
  // Built before the old worker stops, so that it keeps polling while dependencies install.
  const environment = await prepareRunEnv(argv, settings.workerDir, settings.stateDir, opts);
  const found = findProjectWorkers(settings);
  await opts.approve?.(found.workers.map(stripProc));
  // The last point where nothing has changed: a cancelled call stops here.
  if (opts.signal?.aborted)
    throw new TshellError(
      'cancelled before any worker was stopped: nothing changed',
      ErrorCodes.interrupted,
      undefined,
      1,
    );
  for (const w of found.workers) {
    opts.progress?.(`stopping worker pid ${w.pid}${w.startedByTshell ? '' : ' (not started by tshell)'}…`);
  }
  const stopped = await stopWorkers(found.workers);
  const { pidFile, logFile } = workerFiles(settings);
  const started = Date.now();
  const reportFile = workerReportFile(settings);
  const hook = reportEnv(settings, process.env);
  const proc = await spawnDetached(argv, {
    cwd: settings.workerDir,
    env: childEnv({
      TEMPORAL_ADDRESS: settings.address,
      TEMPORAL_NAMESPACE: settings.namespace,
      ...projectRunEnv(argv, settings.workerDir, settings.stateDir, hook.path),
      ...hook.vars,
    }),
    logFile,
    banner: `=== tshell: ${new Date().toISOString()} starting worker: ${argv.join(' ')} (in ${settings.workerDir})`,
  });
  const info = readProc(proc.pid);
  const record: PidRecord = {
    kind: 'worker',
    pid: proc.pid,
    startTicks: info?.startTicks ?? 0,
    argv: info?.argv ?? argv,
    cwd: settings.workerDir,
    project: settings.projectName,
    projectDir: settings.projectDir,
    logFile,
    logOffset: proc.logOffset,
    startedAt: new Date().toISOString(),
    address: settings.address,
  };
  writePidFile(pidFile, record);
  opts.progress?.(`started worker pid ${proc.pid}: ${argv.join(' ')}; waiting for its poller…`);
  const timeoutMs = opts.timeoutMs ?? 90_000;
  let taskQueue: string | undefined;
  let lastHeartbeatCheck = 0;
  let saidHeartbeat = false;
  let report: WorkerReport | undefined;
  while (Date.now() - started < timeoutMs) {
    const exit = proc.hasExited();
    if (exit) {
      removePidFile(pidFile);
      const signal = exitSignal(exit);
      if (signal) {
        throw new ProcessError(
          `worker was stopped by ${signal} during start-up, from outside tshell`,
          logTail(logFile, proc.logOffset, 15),
          `something else stopped it (a supervisor, another terminal): \`ensure-worker\` starts it again (log: ${logFile})`,
        );
      }
      throw new ProcessError(
        `worker exited during start-up (exit code ${exit.code})`,
        logTail(logFile, proc.logOffset, 15),
        `fix the error above, then run \`ensure-worker\` again (log: ${logFile})`,
      );
    }
    // The queues it may poll: the configured or discovered one, the one its log names; whichever
    // shows a poller of this process tree first is the worker's. Without any, its heartbeat says.
    // The worker's own report first (exact), then the configured or discovered queue, then its log.
    report = readWorkerReport(reportFile, treePids([proc.pid])) ?? report;
    const queues = [
      ...new Set(
        [report?.taskQueue, settings.taskQueue, taskQueueFromLog(readLogSince(logFile, proc.logOffset))].filter(
          (q): q is string => Boolean(q),
        ),
      ),
    ];
    if (queues.length === 0 && !saidHeartbeat && Date.now() - started > 10_000) {
      saidHeartbeat = true;
      const hb = await workerHeartbeats(await connectFor(settings)).catch(() => undefined);
      // No queue to look for pollers on, and no heartbeat will ever come: waiting cannot end well.
      if (hb?.unavailable) {
        release(proc);
        throw new TshellError(
          `worker pid ${proc.pid} is running, but its task queue is set at run time, it has not reported itself, and ${hb.unavailable.replace(/: pollers only$/, '')}`,
          ErrorCodes.process,
          `pass --task-queue with the queue it polls (log: ${logFile})`,
          1,
          logTail(logFile, proc.logOffset, 10),
        );
      }
      opts.progress?.(
        'its task queue is set at run time and it has not reported itself: waiting for its heartbeat (the Python SDK sends one a minute)',
      );
    }
    let poller: PollerInfo | undefined;
    for (const q of queues) {
      poller = await ownPoller(settings, q, proc.pid).catch(ignoreUnlessTshell);
      if (poller) {
        taskQueue = q;
        break;
      }
    }
    if (!poller && Date.now() - lastHeartbeatCheck > 2000) {
      lastHeartbeatCheck = Date.now();
      const beat = await ownHeartbeat(settings, proc.pid).catch(ignoreUnlessTshell);
      if (beat) {
        taskQueue = beat.taskQueue;
        poller = { identity: beat.identity, lastAccessTime: beat.heartbeatTime };
      }
    }
    if (taskQueue && poller) {
      record.taskQueue = taskQueue;
      writePidFile(pidFile, record);
      release(proc);
      return {
        project: settings.projectName,
        projectDir: settings.projectDir,
        pid: proc.pid,
        taskQueue,
        pollerIdentity: poller.identity,
        readyMs: Date.now() - started,
        logFile,
        command: argv.join(' '),
        stopped,
        stalePidFiles: found.stale,
        ...(report ? { report } : {}),
        ...(environment ? { environment } : {}),
      };
    }
    await sleep(150, opts.signal);
  }
  release(proc);
  const tried = settings.taskQueue;
  throw new TshellError(
    tried
      ? `worker pid ${proc.pid} is running but no poller of it appeared on task queue ${tried} within ${Math.round(timeoutMs / 1000)} s`
      : `worker pid ${proc.pid} is running but neither a poller nor a heartbeat of it appeared within ${Math.round(timeoutMs / 1000)} s`,
    ErrorCodes.process,
    tried
      ? `check the worker log (${logFile}), or pass --task-queue if it polls another queue`
      : `check the worker log (${logFile}); --task-queue names its queue`,
    1,
    logTail(logFile, proc.logOffset, 10),
  );
}

function ignoreUnlessTshell(err: unknown): undefined {
  if (err instanceof TshellError) throw err;
  return undefined;
}

/** A heartbeat from the process or one of its descendants (any task queue). */
async function ownHeartbeat(settings: Settings, rootPid: number): Promise<WorkerHeartbeat | undefined> {
  return heartbeatOfTree(await liveHeartbeats(await connectFor(settings)), rootPid);
}

/** The heartbeat of a local process tree (uv's python child polls, and heartbeats, for uv's worker). */
export function heartbeatOfTree(
  beats: WorkerHeartbeat[],
  rootPid: number,
  procs?: ProcInfo[],
): WorkerHeartbeat | undefined {
  const tree = treePids([rootPid], procs);
  return beats.find((b) => isLocalHeartbeat(b) && tree.has(b.pid));
}

/** A poller on the queue whose identity names the process or one of its descendants. */
async function ownPoller(settings: Settings, taskQueue: string, rootPid: number): Promise<PollerInfo | undefined> {
  const handle = await connectFor(settings);
  const pollers = await pollersOf(handle, taskQueue, 'workflow');
  const tree = treePids([rootPid]);
  return pollers.find((p) => {
    const pid = identityPid(p.identity);
    return pid !== undefined && tree.has(pid);
  });
}

/**
 * Local heartbeats sorted out against known workers: those that come from a known worker's process
 * tree (with that worker's pid), and the others with their live process (workers started elsewhere).
 */
export function matchHeartbeats(
  beats: WorkerHeartbeat[],
  knownPids: number[],
  procs: ProcInfo[] = allProcs(),
): {
  owned: { ownerPid: number; beat: WorkerHeartbeat }[];
  others: { beat: WorkerHeartbeat & { pid: number }; proc: ProcInfo }[];
} {
  const trees = knownPids.map((pid) => ({ pid, tree: treePids([pid], procs) }));
  const owned: { ownerPid: number; beat: WorkerHeartbeat }[] = [];
  const others: { beat: WorkerHeartbeat & { pid: number }; proc: ProcInfo }[] = [];
  for (const beat of beats) {
    if (!isLocalHeartbeat(beat)) continue;
    const owner = trees.find((t) => t.tree.has(beat.pid));
    if (owner) owned.push({ ownerPid: owner.pid, beat });
    else {
      const proc = readProc(beat.pid);
      if (proc) others.push({ beat, proc });
    }
  }
  return { owned, others };
}
