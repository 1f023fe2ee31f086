// PID files record who we started: pid, start time and command line. A PID file is only believed
// when the live process with that pid has the same start time and command line; otherwise it is
// stale, removed, and the process it names is never signalled.
import { readFileSync, writeFileSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import { readProc, type ProcInfo } from './proc.js';

const KINDS = ['worker', 'server', 'starter', 'helper'] as const;

export interface PidRecord {
  kind: (typeof KINDS)[number];
  pid: number;
  startTicks: number;
  argv: string[];
  cwd: string;
  project?: string;
  projectDir?: string;
  logFile: string;
  /** Byte offset of the log file when the process started: "the log since start". */
  logOffset: number;
  startedAt: string;
  address?: string;
  taskQueue?: string;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isKind = (v: unknown): v is PidRecord['kind'] => KINDS.some((k) => k === v);
/** The optional text fields a record has (others, and ones of another type, are not believed). */
const OPTIONAL = ['project', 'projectDir', 'address', 'taskQueue'] as const;

/**
 * A PID file's JSON checked by hand, not with zod: the REPL's first prompt reads it (worker up or
 * down), and loading zod alone costs a quarter of Node's own start-up (see checked-json.ts). Only
 * the known fields are kept.
 */
export function pidRecordFrom(value: unknown): PidRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const r: Record<string, unknown> = { ...value };
  const { kind, pid, startTicks, argv, cwd, logFile, logOffset, startedAt } = r;
  if (!isKind(kind) || !isNumber(pid) || !isNumber(startTicks) || !isNumber(logOffset)) return undefined;
  if (!Array.isArray(argv) || !argv.every(isString)) return undefined;
  if (!isString(cwd) || !isString(logFile) || !isString(startedAt)) return undefined;
  const record: PidRecord = { kind, pid, startTicks, argv, cwd, logFile, logOffset, startedAt };
  for (const k of OPTIONAL) {
    const v = r[k];
    if (isString(v)) record[k] = v;
    else if (v !== undefined) return undefined;
  }
  return record;
}

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
    return pidRecordFrom(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined; // gone, or not JSON (being written)
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
