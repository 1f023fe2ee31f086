// Which of the project's workers are running: verified PID files, and live processes whose cwd is the
// project and whose command line is the worker command; stopping them; who a heartbeat or poller is.
import { basename } from 'node:path';
import type { Settings } from '../config/settings.js';
import { workerFiles } from '../config/state-dir.js';
import { isLocalHeartbeat, type WorkerHeartbeat } from '../temporal/workers.js';
import { checkPidFile, pidFilesIn, removePidFile } from './pidfile.js';
import { allProcs, processTree, readProc, startedAtMs, treePids, type ProcInfo } from './proc.js';
import { splitCommand } from './spawn.js';
import { stopProcessTree, type StopResult } from './terminate.js';

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
export function findProjectWorkers(
  settings: Settings,
  opts: { tidy?: boolean; procs?: ProcInfo[] } = {},
): FoundWorkers {
  const { pidFile } = workerFiles(settings);
  const workers: FoundWorkers['workers'] = [];
  const stale: StalePidFile[] = [];
  const procs = opts.procs ?? allProcs();
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
      matchesWorkerCommand(p.argv, workerArgv, settings.workerDir) &&
      p.cwd === settings.workerDir, // last: the one read that resolves a link
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
export function listAllWorkers(
  settings: Settings,
  procs: ProcInfo[] = allProcs(),
): { workers: WorkerProcess[]; stale: StalePidFile[] } {
  const started = tshellWorkers(settings);
  const own = findProjectWorkers(settings, { procs });
  const byHand = own.workers.filter((w) => !w.startedByTshell);
  return {
    workers: [...started.live, ...started.dead, ...byHand].map(stripProc),
    stale: [...started.stale, ...own.stale],
  };
}

export function stripProc(w: WorkerProcess & { proc?: ProcInfo }): WorkerProcess {
  const { proc: _proc, ...rest } = w;
  return rest;
}

export interface StoppedWorker extends WorkerProcess, StopResult {}

export async function stopWorkers(found: FoundWorkers['workers']): Promise<StoppedWorker[]> {
  const results = await Promise.all(found.map(async (w) => ({ ...stripProc(w), ...(await stopProcessTree(w.proc)) })));
  for (const w of found) if (w.pidFile) removePidFile(w.pidFile);
  return results.map((r) => ({ ...r, alive: false }));
}

export function identityPid(identity: string): number | undefined {
  const m = /^(\d+)@/.exec(identity);
  return m ? Number(m[1]) : undefined;
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
