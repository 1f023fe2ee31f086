// A command the test watches while it runs: it waits for a state the command itself shows (a line it
// printed, a connection it holds), never for time, before it acts on the running command.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { BIN, HELLO, type RunResult } from './tshell.js';

export interface LiveRun {
  pid: number;
  /** Resolves once stdout or stderr has printed a match; rejects if the command ends first. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<RunResult>;
  /** SIGKILLs it if it still runs (a test's `finally`). */
  stop(): void;
}

/** Spawns the launcher (or `program`, a launcher given as argv) and reads its output as it comes. */
export function tshellLive(
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; program?: string[] },
): LiveRun {
  const [cmd, ...pre] = opts.program ?? [process.execPath, BIN];
  const started = Date.now();
  const child = spawn(cmd as string, [...pre, ...args], {
    cwd: opts.cwd ?? HELLO,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  const seen = () => watchers.forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), seen()));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), seen()));
  let ended = false;
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code) => {
      ended = true;
      seen();
      const strip = (t: string) => t.replace(/\r?\n$/, '');
      resolve({ stdout: strip(stdout), stderr: strip(stderr), exitCode: code ?? -1, ms: Date.now() - started });
    }),
  );
  const printed = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => stop(new Error(`timed out waiting for ${pattern} in:\n${stdout}${stderr}`)),
        timeoutMs,
      );
      const stop = (err?: Error) => {
        clearTimeout(timer);
        watchers.delete(check);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        if (pattern.test(stdout) || pattern.test(stderr)) stop();
        else if (ended) stop(new Error(`ended before printing ${pattern}:\n${stdout}${stderr}`));
      };
      watchers.add(check);
      check();
    });
  const stop = () => {
    if (!ended) child.kill('SIGKILL');
  };
  return { pid: child.pid as number, printed, done, stop };
}

/** The inodes of the sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return inodes;
}

/** Whether one of `pids` holds a TCP connection to `port` (as the kernel lists it; the peer may be frozen). */
export function connectedTo(pids: number[], port: number): boolean {
  const inodes = new Set(pids.flatMap((p) => [...socketInodes(p)]));
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f[2]?.endsWith(`:${hexPort}`) && f[3] === '01' && f[9] && inodes.has(f[9])) return true;
    }
  }
  return false;
}
