// PID files record who we started: pid, start time and command line. A PID file is only believed
// when the live process with that pid has the same start time and command line; otherwise it is
// stale, removed, and the process it names is never signalled.
import { readFileSync, writeFileSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import { readProc, type ProcInfo } from './proc.js';
import * as z from 'zod/mini';
import { parseOrUndefined } from '../checked-json.js';

const PidRecordSchema = z.object({
  kind: z.enum(['worker', 'server', 'starter', 'helper']),
  pid: z.number(),
  startTicks: z.number(),
  argv: z.array(z.string()),
  cwd: z.string(),
  project: z.optional(z.string()),
  projectDir: z.optional(z.string()),
  logFile: z.string(),
  /** Byte offset of the log file when the process started: "the log since start". */
  logOffset: z.number(),
  startedAt: z.string(),
  address: z.optional(z.string()),
  taskQueue: z.optional(z.string()),
});
export type PidRecord = z.infer<typeof PidRecordSchema>;

export type PidCheck =
  | { state: 'alive'; record: PidRecord; proc: ProcInfo }
  | { state: 'dead'; record: PidRecord }
  | { state: 'reused'; record: PidRecord; proc: ProcInfo }
  | { state: 'unreadable'; file: string };

export function writePidFile(file: string, record: PidRecord): void {
  ensurePrivateDir(join(file, '..'));
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export function readPidFile(file: string): PidRecord | undefined {
  try {
    return parseOrUndefined(PidRecordSchema, readFileSync(file, 'utf8'));
  } catch {
    return undefined; // gone
  }
}

export function sameArgv(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Checks a PID file against the live process table. */
export function checkPidFile(file: string): PidCheck {
  const record = readPidFile(file);
  if (!record) return { state: 'unreadable', file };
  const proc = readProc(record.pid);
  if (!proc) return { state: 'dead', record };
  if (proc.startTicks !== record.startTicks || !sameArgv(proc.argv, record.argv)) {
    return { state: 'reused', record, proc };
  }
  return { state: 'alive', record, proc };
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

export function pidFilesIn(dir: string, prefix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pid'))
    .map((f) => join(dir, f));
}
