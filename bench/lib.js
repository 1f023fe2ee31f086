// What the benchmarks share: timing a run, a prompt, a stream; free ports; the table and its rows.
import { rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
// What users run (`tshell` on PATH): the entry, through its #! line (`env node`).
export const BIN = join(ROOT, 'bin', 'tshell.cjs');
export const HELLO = join(ROOT, 'examples', 'hello');
export const RUNS = Number(process.env.BENCH_RUNS ?? 15);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function timeRun(args, env = {}) {
  const t = process.hrtime.bigint();
  const [file, argv] = args[0] === BIN ? [BIN, args.slice(1)] : [process.execPath, args];
  const r = spawnSync(file, argv, { cwd: HELLO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, code: r.status, out: String(r.stdout) + String(r.stderr) };
}

/**
 * Node 20 reads and parses NODE_EXTRA_CA_CERTS at start (50–85 ms on this machine, where it is set);
 * Node 22 and 24 do not read it at start (`node -e` takes as long with it as without). Where it is set, the context rows say what each start costs without it.
 */
export const EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: '' } : undefined;

/** Stops the warm helper the one-shots started for this state dir, then removes the dir. */
export function removeStateDir(stateDir, env) {
  timeRun([BIN, 'exit', '--cleanup', '--yes'], env);
  rmSync(stateDir, { recursive: true, force: true });
}

export function timeToPrompt(env) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(BIN, ['-i'], {
      cwd: HELLO,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let measured;
    child.stdout.on('data', (d) => {
      out += d;
      if (measured === undefined && out.includes('›')) {
        measured = Number(process.hrtime.bigint() - t) / 1e6;
        child.stdin.end('exit\n');
      }
    });
    child.on('exit', () => (measured === undefined ? reject(new Error(`no prompt: ${out}`)) : resolve(measured)));
  });
}

/**
 * Waits until the worker has run the first workflow task of every workflow just started (the
 * newest ones, which it reaches last, show no pending workflow task), so the rows that follow
 * measure tshell and the server, not a worker still catching up.
 */
export async function untilWorkerIdle(client, count, idOf) {
  const newest = Array.from({ length: Math.min(count, 50) }, (_, k) => idOf(count - 1 - k));
  for (const started = Date.now(); Date.now() - started < 180_000;) {
    const busy = await Promise.all(
      newest.map((id) =>
        client.workflow
          .getHandle(id)
          .describe()
          .then((d) => d.raw.pendingWorkflowTask != null),
      ),
    );
    if (!busy.some(Boolean)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the worker did not catch up within 3 minutes');
}

/** Runs a command, timing the first stdout line that matches `pattern` and the exit. */
export function timeStream(file, args, opts, pattern) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let firstMatch;
    child.stdout.on('data', (d) => {
      out += d;
      if (
        firstMatch === undefined &&
        out
          .split('\n')
          .slice(0, -1)
          .some((l) => pattern.test(l))
      )
        firstMatch = Number(process.hrtime.bigint() - t) / 1e6;
    });
    child.on('error', reject);
    child.on('close', () =>
      resolve({ firstMatch: firstMatch ?? Infinity, total: Number(process.hrtime.bigint() - t) / 1e6, out }),
    );
  });
}

export const rows = [];
/** `ok` undefined: a row for context, with no target (it never fails the run). */
export function row(name, value, baselineName, baseline, target, ok, unit = 'ms') {
  rows.push({ name, value, baselineName, baseline, target, ok, unit });
}

/**
 * What the numbers were measured on: the launcher runs the `node` first on PATH (its #! line) and the
 * floor rows run this process's Node; the two must be the same Node for the ratios to mean anything.
 */
function runContext() {
  const onPath = spawnSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).stdout.trim();
  const same = onPath === process.execPath ? '' : ` (NOT the node on PATH, ${onPath}: ratios are off)`;
  const ca = process.env.NODE_EXTRA_CA_CERTS ? `set (${process.env.NODE_EXTRA_CA_CERTS})` : 'unset';
  return `Node ${process.version} at ${process.execPath}${same}; ${cpus().length} cores; NODE_EXTRA_CA_CERTS ${ca}`;
}

/** Prints the table; exits non-zero when a target is missed. */
export function report() {
  const fmt = (v, unit = 'ms') => (v === undefined ? '' : `${v.toFixed(1)} ${unit}`);
  const lines = [['benchmark', 'tshell', 'baseline', 'baseline value', 'ratio', 'target', 'ok']];
  for (const r of rows) {
    lines.push([
      r.name,
      fmt(r.value, r.unit),
      r.baselineName,
      fmt(r.baseline),
      r.baseline ? `${(r.value / r.baseline).toFixed(2)}×` : '',
      r.target,
      r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
    ]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  console.log(runContext());
  for (const l of lines) console.log(l.map((c, i) => c.padEnd(widths[i])).join('  '));
  process.exit(rows.every((r) => r.ok !== false) ? 0 : 1);
}

/**
 * One long-running tshell answering line after line (a REPL with -i, or a script reading JSON Lines):
 * the time from writing a command to its whole answer (the prompt again, or the JSON line), the
 * first one (which loads the Temporal client) left out.
 */
export async function timeLines(args, line, done, env, count = 21) {
  const child = spawn(BIN, args, { cwd: HELLO, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let waiting;
  child.stdout.on('data', (d) => {
    out += d;
    waiting?.();
  });
  const answered = (test = done) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer from tshell ${args.join(' ')}: ${out.slice(-400)}`)),
        30_000,
      );
      waiting = () => {
        if (!test(out)) return;
        waiting = undefined;
        clearTimeout(timer);
        resolve();
      };
      waiting();
    });
  if (args.includes('-i')) await answered((o) => /› ?$/.test(o)); // the first prompt
  const times = [];
  for (let i = 0; i < count; i++) {
    out = '';
    const t = process.hrtime.bigint();
    const answer = answered();
    child.stdin.write(`${line}\n`);
    await answer;
    if (i > 0) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  child.stdin.end(args.includes('-i') ? 'exit\n' : '');
  await new Promise((r) => child.on('exit', r));
  return median(times);
}
