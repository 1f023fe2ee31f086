// Starting long-lived processes detached, with output appended to a private log file, and the
// small helpers to read a log back (tail, lines since an offset).
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Options, ResultPromise } from 'execa';
import { lazy } from '../lazy.js';
import { ensurePrivateDir } from '../config/state-dir.js';
import { ProcessError, UsageError } from '../errors.js';

export interface DetachedProcess {
  pid: number;
  logOffset: number;
  /** Resolves with the exit code (or signal name) if the process exits while we are alive. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  child: ResultPromise;
  hasExited(): { code: number | null; signal: string | null } | undefined;
}

export function openLog(logFile: string): { fd: number; offset: number } {
  ensurePrivateDir(join(logFile, '..'));
  const fd = openSync(logFile, 'a', 0o600);
  chmodSync(logFile, 0o600);
  return { fd, offset: statSync(logFile).size };
}

export async function spawnDetached(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; banner?: string },
): Promise<DetachedProcess> {
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  if (!file) throw new UsageError('empty command');
  const { fd, offset } = openLog(opts.logFile);
  if (opts.banner) writeSync(fd, `${opts.banner}\n`);
  const logOffset = opts.banner ? offset + Buffer.byteLength(`${opts.banner}\n`) : offset;
  const options = {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    reject: false,
    // The child writes to the log's file descriptor itself, so its output keeps flowing after
    // tshell exits (execa's {file} target would pipe through this process instead).
    stdio: ['ignore', fd, fd],
  };
  let child: DetachedProcess['child'];
  try {
    // execa documents integer file descriptors for stdio; its types reject a non-literal number.
    child = execa(file, args, options as unknown as Options);
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) {
    throw new ProcessError(`could not start \`${argv.join(' ')}\``, [], `is ${file} installed and on PATH?`);
  }
  let exitInfo: { code: number | null; signal: string | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', () => {
      exitInfo ??= { code: 127, signal: null };
      resolve(exitInfo);
    });
  });
  // Swallow execa's own promise: the result is observed through `exited`.
  child.catch(() => undefined);
  return { pid: child.pid, logOffset, exited, child, hasExited: () => exitInfo };
}

/** Lets the tshell process exit while the detached child keeps running. */
export function release(proc: DetachedProcess): void {
  proc.child.unref();
}

export function readLogSince(logFile: string, offset: number): string {
  if (!existsSync(logFile)) return '';
  const buf = readFileSync(logFile);
  return buf.subarray(Math.min(offset, buf.length)).toString('utf8');
}

export function logTail(logFile: string, offset: number, n = 15): string[] {
  const lines = readLogSince(logFile, offset)
    .split('\n')
    .filter((l) => l.trim() !== '');
  return lines.slice(Math.max(0, lines.length - n));
}

/** A Go program's own account of why it stopped: `panic:`, `fatal error:`, `Error:`, an error-level log line. */
const GO_FAILURE = /^(panic|fatal error|Error): |\blevel=(ERROR|FATAL)\b|"level":"(error|fatal)"/;

/**
 * What to show when a process died while starting: the lines that say why (a Go panic's message
 * sits above its goroutine dump, which is what a plain tail shows), then the last `n` lines.
 */
export function failureLines(lines: string[], n = 6): string[] {
  const why = lines
    .filter((l) => GO_FAILURE.test(l))
    .slice(0, 3)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  const tail = lines.slice(Math.max(0, lines.length - n)).filter((l) => !why.includes(l));
  return why.length ? [...why, ...(tail.length ? ['…', ...tail] : [])] : tail;
}

/** Splits a command setting with shell quoting rules; operators (|, &&, >) are refused, never run. */
export function splitCommand(command: string, settingName: string): string[] {
  // Plain words need no parser (and loading one costs start-up time).
  if (/^[\w@%+=:,./ -]+$/.test(command)) {
    const words = command.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new UsageError(`${settingName} is empty`);
    return words;
  }
  let parts: ReturnType<ReturnType<typeof lazy.shellQuote>['parse']>;
  try {
    parts = lazy.shellQuote().parse(command);
  } catch (err) {
    throw new UsageError(
      `${settingName} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
      'check the quotes',
    );
  }
  const argv: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') {
      throw new UsageError(
        `${settingName} must be a plain command, not a shell expression: ${command}`,
        'tshell runs commands without a shell; wrap pipelines in a script file',
      );
    }
    argv.push(part);
  }
  if (argv.length === 0) throw new UsageError(`${settingName} is empty`);
  return argv;
}
