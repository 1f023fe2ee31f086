// A lock file in the state dir, held with the holder's pid and start time, so two tshells (a script
// and the REPL) never supervise the same project at once. A lock whose holder is gone, or whose pid
// now names another process, is stale and broken safely (rename first, so two breakers cannot both win).
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import { TshellError, ErrorCodes } from '../errors.js';
import { readProc, sleep } from './proc.js';
import * as z from 'zod/mini';
import { checkedOrUndefined, parseOrUndefined } from '../checked-json.js';

const LockRecordSchema = z.object({ pid: z.number(), startTicks: z.number(), purpose: z.string() });
type LockRecord = z.infer<typeof LockRecordSchema>;

function holderAlive(rec: LockRecord): boolean {
  const p = readProc(rec.pid);
  return p !== undefined && p.startTicks === rec.startTicks;
}

function lockFile(stateDir: string, name: string): string {
  return join(ensurePrivateDir(join(stateDir, 'locks')), `${name}.lock`);
}

function myRecord(purpose: string): LockRecord {
  return { pid: process.pid, startTicks: readProc(process.pid)?.startTicks ?? 0, purpose };
}

/** One try: 'taken' (now ours), 'broken' (a dead holder's lock removed: try again), or who holds it (undefined while it is being written). */
function attempt(file: string, me: LockRecord): 'taken' | 'broken' | LockRecord | undefined {
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, JSON.stringify(me));
    closeSync(fd);
    return 'taken';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 'broken'; // released in between: try again
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined; // not yet whole: being written right now
  }
  // Whole JSON of another shape holds nothing: broken like a dead holder's.
  const holder = checkedOrUndefined(LockRecordSchema, parsed);
  if (holder && holderAlive(holder)) return holder;
  const stale = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, stale);
    rmSync(stale, { force: true });
  } catch {
    // someone else broke it first
  }
  return 'broken';
}

function releaseFile(file: string, me: LockRecord): void {
  try {
    const now = parseOrUndefined(LockRecordSchema, readFileSync(file, 'utf8'));
    if (now?.pid === me.pid && now.startTicks === me.startTicks) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}

/** Held for as long as this process wants it (the warm helper's lifetime): false when another live process has it. */
export function tryLock(stateDir: string, name: string, purpose: string): boolean {
  const file = lockFile(stateDir, name);
  const me = myRecord(purpose);
  for (let i = 0; i < 3; i++) {
    const got = attempt(file, me);
    if (got === 'taken') return true;
    if (got !== 'broken') return false;
  }
  return false;
}

/** Lets go of a lock taken with tryLock, if this process still holds it. */
export function releaseLock(stateDir: string, name: string): void {
  releaseFile(lockFile(stateDir, name), myRecord(''));
}

export async function withLock<T>(
  stateDir: string,
  name: string,
  purpose: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; signal?: AbortSignal; onWait?: (holder: number) => void } = {},
): Promise<T> {
  const file = lockFile(stateDir, name);
  const me = myRecord(purpose);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let told = false;
  for (;;) {
    const got = attempt(file, me);
    if (got === 'taken') break;
    if (got === 'broken') continue;
    if (Date.now() > deadline) {
      throw new TshellError(
        `another tshell (pid ${got?.pid ?? '?'}) is busy with ${got?.purpose ?? name}`,
        ErrorCodes.process,
        'wait for it to finish, then retry',
      );
    }
    if (got && !told) {
      opts.onWait?.(got.pid);
      told = true;
    }
    await sleep(100, opts.signal);
  }
  try {
    return await fn();
  } finally {
    releaseFile(file, me);
  }
}
