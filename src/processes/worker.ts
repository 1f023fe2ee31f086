// Supervision of the project's Python worker: stop the project's workers (worker-find.ts finds them),
// start one fresh worker, and call it ready only when a poller of its own process tree shows up on
// its task queue.
import { constants as osConstants } from 'node:os';
import type { Settings } from '../config/settings.js';
import { workerFiles } from '../config/state-dir.js';
import { ProcessError, TshellError, ErrorCodes } from '../errors.js';
import { connectFor } from '../temporal/connection.js';
import { pollersOf, type PollerInfo } from '../temporal/task-queue.js';
import { liveHeartbeats, workerHeartbeats, type WorkerHeartbeat } from '../temporal/workers.js';
import { removePidFile, writePidFile, type PidRecord } from './pidfile.js';
import { readProc, sleep, treePids } from './proc.js';
import { logTail, readLogSince, release, spawnDetached, splitCommand } from './spawn.js';
import { childEnv } from './tools.js';
import { startupFailureHint } from '../project/missing-module.js';
import { prepareRunEnv, projectRunEnv, type ManagedEnvironment } from './project-env.js';
import { readWorkerReport, reportEnv, workerReportFile, type WorkerReport } from './worker-report.js';
import {
  findProjectWorkers,
  identityPid,
  heartbeatOfTree,
  stopWorkers,
  type StalePidFile,
  type StoppedWorker,
  stripProc,
  type WorkerProcess,
} from './worker-find.js';

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
      const tail = logTail(logFile, proc.logOffset, 15);
      throw new ProcessError(
        `worker exited during start-up (exit code ${exit.code})`,
        tail,
        startupFailureHint(argv, tail, settings.projectDir, settings.stateDir) ??
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
