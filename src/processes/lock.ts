// A lock file in the state dir, held with the holder's pid and start time, so two tshells (a script
// and the REPL) never supervise the same project at once. A lock whose holder is gone, or whose pid
// now names another process, is stale and broken safely (rename first, so two breakers cannot both win).
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import { TshellError, ErrorCodes } from '../errors.js';
import { readProc, sleep } from './proc.js';

interface LockRecord {
  pid: number;
  startTicks: number;
  purpose: string;
}

function holderAlive(rec: LockRecord): boolean {
  const p = readProc(rec.pid);
  return p !== undefined && p.startTicks === rec.startTicks;
}

export async function withLock<T>(stateDir: string, name: string, purpose: string, fn: () => Promise<T>, opts: { timeoutMs?: number; signal?: AbortSignal; onWait?: (holder: number) => void } = {}): Promise<T> {
  const dir = ensurePrivateDir(join(stateDir, 'locks'));
  const file = join(dir, `${name}.lock`);
  const me: LockRecord = { pid: process.pid, startTicks: readProc(process.pid)?.startTicks ?? 0, purpose };
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: LockRecord | undefined;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
    } catch {
      holder = undefined; // being written right now, or garbage: look again shortly
    }
    if (holder && !holderAlive(holder)) {
      const stale = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, stale);
        rmSync(stale, { force: true });
      } catch {
        // someone else broke it first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new TshellError(`another tshell (pid ${holder?.pid ?? '?'}) is busy with ${holder?.purpose ?? name}`, ErrorCodes.process, 'wait for it to finish, then retry');
    }
    if (holder && !told) {
      opts.onWait?.(holder.pid);
      told = true;
    }
    await sleep(100, opts.signal);
  }
  try {
    return await fn();
  } finally {
    try {
      const now = JSON.parse(readFileSync(file, 'utf8')) as LockRecord;
      if (now.pid === me.pid && now.startTicks === me.startTicks) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }
}
