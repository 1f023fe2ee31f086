// Test helpers: run the real tshell binary, start a real dev server on free ports in a temp state
// dir, and clean up every process a test started, by PID.
import { cpSync, mkdtempSync, readFileSync, rmSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { after } from 'node:test';
import { projectKey } from '../../src/config/state-dir.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'tshell.cjs');

/**
 * The example and the fixtures, copied once per test file (each runs in its own process) into a tree
 * of its own, laid out as in the checkout. Test files run side by side: tshell finds a project's
 * workers by their folder, so two files must never run workers in the same folder; and the checkout's
 * own copies stay exactly as committed.
 */
const TREE = mkdtempSync(join(tmpdir(), 'tshell-tree-'));
for (const part of [join('examples', 'hello'), join('test', 'fixtures')])
  cpSync(join(ROOT, part), join(TREE, part), {
    recursive: true,
    filter: (src) => !/(^|\/)(\.venv|__pycache__|uv\.lock)$/.test(src),
  });
process.on('exit', () => rmSync(TREE, { recursive: true, force: true }));
export const HELLO = join(TREE, 'examples', 'hello');
export const FIXTURES = join(TREE, 'test', 'fixtures');

/** How tshell keys the example's state files (PID file, log, lock): its name and a hash of its path. */
export const HELLO_KEY = projectKey({ projectName: basename(HELLO), projectDir: HELLO });

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  ms: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface Env {
  stateDir: string;
  address: string;
  env: Record<string, string>;
}

/** A private state dir and address for one test file. */
export async function makeEnv(): Promise<Env> {
  const stateDir = mkdtempSync(join(tmpdir(), 'tshell-test-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  // The Web UI's port too: tshell's default, the gRPC port + 1000, falls in the range the kernel hands
  // out for outgoing connections, and a run of files side by side once found it taken there.
  let uiPort = await freePort();
  while (uiPort === port) uiPort = await freePort();
  return {
    stateDir,
    address,
    env: {
      TSHELL_STATE_DIR: stateDir,
      TEMPORAL_ADDRESS: address,
      TSHELL_UI_PORT: String(uiPort),
      UV_PYTHON_DOWNLOADS: 'never',
      NO_COLOR: '1',
      TEMPORAL_CONFIG_FILE: join(stateDir, 'no-such-temporal.toml'),
      // The tshell processes a test starts talk to local servers only. Node 20 reads and parses this
      // file at every start (about 85 ms where it is set, on a machine behind a TLS proxy), and a run
      // starts tshell about 380 times: empty, it is not read. npm and the Python tools keep theirs.
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: '' } : {}),
    },
  };
}

/**
 * Commands the harness runs inside the test process (the way the warm helper runs them: the caller's
 * env and folder, output captured), against the suite's server: no Node start and no SDK load for
 * each. What starts or stops long-lived processes, asks, or runs Python stays a real spawn of the
 * launcher, as do commands given stdin, and anything while another command runs in here.
 */
const IN_PROCESS = new Set([
  ...['describe', 'result', 'wait', 'recent', 'list', 'count', 'history', 'stack', 'errors', 'trace'],
  ...['start', 'signal', 'update', 'query', 'cancel', 'terminate', 'bulk-cancel', 'use', 'reset'],
  ...['stalled', 'health', 'diagnose', 'task-queue', 'list-workers', 'schedules', 'schedule'],
  ...['config', 'help', 'projects'],
]);
let spawnOnly = process.env.TSHELL_TEST_SPAWN === '1';

/** For a test file about the launcher itself (the helper, pipes): every command spawns it. */
export function spawnEveryCommand(): void {
  spawnOnly = true;
}

let asCaller: typeof import('../../src/shell/as-caller.js') | undefined;
/** Set before the first await: two commands started together must not both run in here. */
let runningHere = false;

async function inProcess(
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number },
): Promise<RunResult> {
  runningHere = true;
  try {
    asCaller ??= await import('../../src/shell/as-caller.js');
    const started = Date.now();
    let stdout = '';
    let stderr = '';
    const env = {
      ...(process.env as Record<string, string>),
      ...opts.env,
      // A spawned one-shot's parent is this process: in here the session chains with those.
      TSHELL_CALLER_PID: String(process.pid),
    };
    const exitCode = await asCaller.runAsCaller(
      { argv: args, cwd: opts.cwd ?? HELLO, env, stdoutTTY: false, stderrTTY: false },
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      AbortSignal.timeout(opts.timeoutMs ?? 180_000),
    );
    // As execa gives a spawned command's output: without its final newline.
    const strip = (t: string) => t.replace(/\r?\n$/, '');
    return { stdout: strip(stdout), stderr: strip(stderr), exitCode, ms: Date.now() - started };
  } finally {
    runningHere = false;
  }
}

after(async () => {
  if (!asCaller) return;
  const { closeConnections } = await import('../../src/temporal/connection.js');
  await closeConnections();
});

export async function tshell(
  args: string[],
  opts: { env: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  const here = !spawnOnly && !opts.input && IN_PROCESS.has(args[0] ?? '') && !args.includes('--help') && !runningHere;
  if (here) return inProcess(args, opts);
  const started = Date.now();
  const r = await execa(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? HELLO,
    env: { ...opts.env },
    extendEnv: true,
    input: opts.input ?? '',
    reject: false,
    timeout: opts.timeoutMs ?? 180_000,
  });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1, ms: Date.now() - started };
}

/** Every PID recorded in the state dir's PID files (workers, server, starters). */
function recordedPids(stateDir: string): number[] {
  const pids: number[] = [];
  for (const dir of [join(stateDir, 'pids'), join(stateDir, 'server'), join(stateDir, 'helper')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.pid'))) {
      try {
        pids.push((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { pid: number }).pid);
      } catch {
        // ignore unreadable files
      }
    }
  }
  return pids;
}

/** Stops workers and the server through tshell, then SIGKILLs any recorded PID group still alive. */
export async function cleanup(env: Env, extraPids: number[] = []): Promise<void> {
  const pids = [...recordedPids(env.stateDir), ...extraPids];
  await tshell(['kill-all-workers', '--include-server', '--yes'], { env: env.env, timeoutMs: 30_000 });
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  rmSync(env.stateDir, { recursive: true, force: true });
}

export function noStackTrace(text: string): boolean {
  return !/\n\s+at .+\(.+:\d+:\d+\)/.test(text) && !text.includes('node:internal');
}

/** Parses a command's --json output and checks every field against the registry's declaration. */
export async function declaredJson<T = Record<string, unknown>>(command: string, r: RunResult): Promise<T> {
  const { findCommand } = await import('../../src/commands/registry.js');
  const spec = findCommand(command);
  if (!spec?.fields) throw new Error(`${command} declares no --json fields`);
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${command} --json printed invalid JSON (exit ${r.exitCode}): ${r.stdout}${r.stderr}`);
  }
  for (const key of Object.keys(data)) {
    if (!(key in spec.fields)) throw new Error(`${command} --json printed undeclared field "${key}"`);
  }
  return data as T;
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await fn();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface PtyStep {
  /** A regular expression the output must match (after the previous step's match). */
  expect: string;
  /** A program run once it matched, before `send` (the developer editing code), no shell. */
  exec?: string[];
  /** Text typed once it matched (`\r` is Enter). */
  send?: string;
  /** Seconds to wait before sending (default 0.15). */
  delay?: number;
  timeout?: number;
}

export interface PtyResult {
  ok: boolean;
  failedStep: number | null;
  transcript: string;
  exitCode: number | null;
}

/** Runs a program in a real pseudo-terminal (Python's pty module), typing each step's text on cue. */
export async function inPty(
  argv: string[],
  steps: PtyStep[],
  opts: { env: Record<string, string>; cwd?: string; exitTimeout?: number },
): Promise<PtyResult> {
  const spec = {
    argv,
    cwd: opts.cwd ?? HELLO,
    env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1', ...opts.env },
    steps,
    exitTimeout: opts.exitTimeout ?? 30,
  };
  const r = await execa('python3', [join(ROOT, 'test', 'helpers', 'pty_drive.py')], {
    input: JSON.stringify(spec),
    reject: false,
    timeout: 600_000,
  });
  if (r.exitCode !== 0) throw new Error(`pty driver failed: ${String(r.stderr)}`);
  return JSON.parse(String(r.stdout)) as PtyResult;
}

/** tshell itself in a pseudo-terminal. */
export function tshellInPty(
  args: string[],
  steps: PtyStep[],
  opts: { env: Record<string, string>; cwd?: string; exitTimeout?: number },
): Promise<PtyResult> {
  return inPty([process.execPath, BIN, ...args], steps, opts);
}

/** A directory holding a `tshell` executable (for shells that call `tshell __complete`). */
export function tshellOnPath(): string {
  const bin = mkdtempSync(join(tmpdir(), 'tshell-bin-'));
  writeFileSync(join(bin, 'tshell'), `#!/bin/sh\nexec ${process.execPath} ${BIN} "$@"\n`, { mode: 0o755 });
  return bin;
}

/** A copy of a fixture project in the test's state dir, for tests that edit its code. */
export function copyProject(name: string, env: Env, as = name): string {
  const dest = join(env.stateDir, 'projects', basename(as));
  cpSync(join(FIXTURES, name), dest, {
    recursive: true,
    filter: (src) => !/(^|\/)(\.venv|__pycache__|uv\.lock)$/.test(src),
  });
  return dest;
}

/** Every file below a folder with its bytes: what "nothing was written into the project" is checked against. */
export function fileTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      Object.assign(out, Object.fromEntries(Object.entries(fileTree(path)).map(([k, v]) => [join(name, k), v])));
    else out[name] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/** Replaces one marked line of a file (the test's "code edit"). */
export function editLine(file: string, marker: string, replacement: string): void {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`no line with ${marker} in ${file}`);
  lines.splice(i, 1, ...replacement.split('\n'));
  writeFileSync(file, lines.join('\n'));
}

/** `start --type T --task-queue Q --json` through `run`: the new workflow's id (asserting the start worked). */
export async function startType(
  run: (args: string[]) => Promise<RunResult>,
  type: string,
  queue: string,
  ...extra: string[]
): Promise<string> {
  const r = await run(['start', '--type', type, '--task-queue', queue, '--json', ...extra]);
  if (r.exitCode !== 0) throw new Error(`start --type ${type} failed (exit ${r.exitCode}): ${r.stderr}`);
  return (JSON.parse(r.stdout) as { workflowId: string }).workflowId;
}

export const UV = join(ROOT, '.tools', 'venv', 'bin', 'uv');

/** A virtualenv with the pinned temporalio, made the way a developer would (here with uv, offline-friendly). */
export async function makeVenv(dir: string, withTemporal = true): Promise<string> {
  await execa(UV, ['venv', '--quiet', '--python', 'python3', dir], {
    env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' },
  });
  if (withTemporal)
    await execa(UV, ['pip', 'install', '--quiet', '--python', join(dir, 'bin', 'python'), 'temporalio==1.35.0'], {
      env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' },
    });
  return dir;
}

/** The dev server and the project's worker up, through tshell (a suite's usual start). */
export async function serverAndWorker(run: (args: string[]) => Promise<RunResult>): Promise<void> {
  for (const step of [['ensure-server', '--headless'], ['ensure-worker']]) {
    const r = await run(step);
    if (r.exitCode !== 0) throw new Error(`${step.join(' ')} failed (exit ${r.exitCode}): ${r.stderr}`);
  }
}
