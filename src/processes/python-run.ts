// Running one of tshell's Python scripts (python/tshell_*.py) in the project's environment: in a fresh
// interpreter, or in a fork of a warm one (python/tshell_warm.py) that has already imported the SDK, so
// that `dev`'s checks and replays cost tens of milliseconds instead of the SDK's import.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import { packageRoot } from './tools.js';
import * as z from 'zod/mini';
import { parseOrUndefined } from '../checked-json.js';

export interface PythonRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface PythonRunResult {
  stdout: string;
  stderr: string;
  exitCode?: number;
  timedOut: boolean;
}

/** Runs `script args` the way `python script args` would. */
export type PythonRunner = (script: string, args: string[], opts: PythonRunOptions) => Promise<PythonRunResult>;

/** A fresh interpreter per run. */
export function coldPython(python: string[]): PythonRunner {
  return async (script, args, opts) => {
    const { execa } = await import('execa');
    const [exe, ...pre] = python;
    const r = await execa(exe ?? 'python3', [...pre, script, ...args], {
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: false,
      reject: false,
      timeout: opts.timeoutMs,
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    });
    return {
      stdout: String(r.stdout),
      stderr: String(r.stderr),
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      timedOut: Boolean(r.timedOut),
    };
  };
}

/** python/tshell_warm.py's answer to one run: which run, the child's pid, its exit status. */
const AnswerSchema = z.object({ id: z.number(), pid: z.optional(z.number()), exit: z.optional(z.number()) });
type Answer = z.infer<typeof AnswerSchema>;

/** One warm interpreter (for one environment), runs one at a time; it dies with tshell. */
export class WarmPython {
  private proc: ChildProcess | undefined;
  private pending = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly dir: string;

  constructor(
    private readonly python: string[],
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
    stateDir: string,
  ) {
    this.dir = mkdtempSync(join(ensurePrivateDir(join(stateDir, 'tmp')), 'warm-'));
  }

  private start(): ChildProcess {
    const [exe, ...pre] = this.python;
    const proc = spawn(exe ?? 'python3', [...pre, join(packageRoot(), 'python', 'tshell_warm.py')], {
      cwd: this.cwd,
      env: this.env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    proc.stdout?.on('data', (d: Buffer) => {
      this.pending += d.toString('utf8');
      let nl: number;
      while ((nl = this.pending.indexOf('\n')) >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        const a = parseOrUndefined(AnswerSchema, line);
        if (a) this.waiting.get(a.id)?.(a); // anything else is not an answer
      }
    });
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = undefined;
      for (const [id, done] of this.waiting) done({ id });
      this.waiting.clear();
    });
    proc.unref();
    proc.stdin?.on('error', () => undefined);
    return proc;
  }

  /** Starts the interpreter and its imports ahead of the first run. */
  warm(): void {
    this.proc ??= this.start();
  }

  readonly run: PythonRunner = (script, args, opts) => {
    const next = this.queue.then(() => this.runOne(script, args, opts));
    this.queue = next.catch(() => undefined);
    return next;
  };

  private async runOne(script: string, args: string[], opts: PythonRunOptions): Promise<PythonRunResult> {
    const proc = (this.proc ??= this.start());
    const id = this.nextId++;
    const out = join(this.dir, `${id}.out`);
    const err = join(this.dir, `${id}.err`);
    let childPid: number | undefined;
    let timedOut = false;
    const exit = await new Promise<number | undefined>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, opts.timeoutMs);
      // A run that takes too long (or is cancelled) loses its child; the interpreter stays warm.
      const kill = () => {
        if (childPid) process.kill(childPid, 'SIGKILL');
        else this.stop();
      };
      opts.signal?.addEventListener('abort', kill, { once: true });
      this.waiting.set(id, (a) => {
        if (a.pid !== undefined && a.exit === undefined) {
          childPid = a.pid;
          return;
        }
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', kill);
        this.waiting.delete(id);
        resolve(a.exit);
      });
      const env = Object.fromEntries(
        Object.entries(opts.env).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      proc.stdin?.write(`${JSON.stringify({ id, script, args, cwd: opts.cwd, env, out, err })}\n`);
    });
    const read = (f: string) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return '';
      }
    };
    const result = {
      stdout: read(out),
      stderr: read(err),
      ...(exit !== undefined && !timedOut ? { exitCode: exit } : {}),
      timedOut,
    };
    rmSync(out, { force: true });
    rmSync(err, { force: true });
    return result;
  }

  private stop(): void {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
  }

  /** Ends the interpreter for good. */
  close(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
