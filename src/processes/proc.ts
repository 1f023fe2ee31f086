// What the OS says about a process (Linux /proc): liveness, start time, command line, cwd,
// children. The start time (clock ticks since boot) is what proves a PID still names the same process.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22). */
  startTicks: number;
  state: string;
  argv: string[];
  /** The working folder (read on first use), undefined when it cannot be read (another user's, gone). */
  readonly cwd?: string;
}

export function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: parse after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0] ?? '?';
    if (state === 'Z' || state === 'X') return undefined; // zombies are dead for our purposes
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a, i, all) => a !== '' || i < all.length - 1);
    // The folder is read when first asked for: resolving the link costs as much as reading the
    // other two files, and a look at the whole table asks it only of the processes it matches.
    let cwd: string | undefined | null = null;
    return {
      pid,
      ppid: Number(rest[1]),
      pgid: Number(rest[2]),
      startTicks: Number(rest[19]),
      state,
      argv,
      get cwd(): string | undefined {
        if (cwd === null) {
          try {
            cwd = readlinkSync(`/proc/${pid}/cwd`);
          } catch {
            cwd = undefined;
          }
        }
        return cwd;
      },
    };
  } catch {
    return undefined;
  }
}

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export function allProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of listPids()) {
    const info = readProc(pid);
    if (info) out.push(info);
  }
  return out;
}

/** The process and every descendant, parents first. */
/** The pids of these processes and all their descendants (uv's python child belongs to uv's worker). */
export function treePids(roots: number[], procs: ProcInfo[] = allProcs()): Set<number> {
  return new Set(roots.flatMap((pid) => processTree(pid, procs).map((p) => p.pid)));
}

export function processTree(rootPid: number, procs: ProcInfo[] = allProcs()): ProcInfo[] {
  const byParent = new Map<number, ProcInfo[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const root = procs.find((p) => p.pid === rootPid);
  if (!root) return [];
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length) {
    const next = queue.shift() as ProcInfo;
    out.push(next);
    queue.push(...(byParent.get(next.pid) ?? []));
  }
  return out;
}

let bootTimeMs: number | undefined;
const CLOCK_TICKS = 100; // USER_HZ is 100 on Linux for every mainstream architecture

function bootTime(): number {
  if (bootTimeMs === undefined) {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('btime '));
    bootTimeMs = Number(line?.split(' ')[1] ?? 0) * 1000;
  }
  return bootTimeMs;
}

/** Wall-clock start of a process, in ms since the epoch. */
export function startedAtMs(info: ProcInfo): number {
  return bootTime() + (info.startTicks * 1000) / CLOCK_TICKS;
}

/** Resident memory in bytes, or undefined. */
export function rssBytes(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    const kb = Number(line?.split(/\s+/)[1]);
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  return readProc(pid) !== undefined;
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function abortError(): Error {
  const err = new Error('aborted');
  err.name = 'AbortError';
  return err;
}

/** The process listening on a local TCP port, when /proc lets us see it. */
export function listeningProcess(port: number): ProcInfo | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      if (!local || cols[3] !== '0A') continue; // 0A = LISTEN
      if (parseInt(local.split(':')[1] ?? '', 16) === port && cols[9]) inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of listPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1] as string)) return readProc(pid);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}
