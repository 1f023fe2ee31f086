// Worker supervision for real: start-up failures, exactly one worker, PID files that lie, and a
// worker started by hand in another terminal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cleanup,
  eventually,
  FIXTURES,
  HELLO,
  ROOT,
  makeEnv,
  noStackTrace,
  tshell,
  type Env,
  HELLO_KEY,
} from '../helpers/tshell.js';
import { allProcs, isAlive, readProc } from '../../src/processes/proc.js';
import { prepareRunEnv, projectRunEnv } from '../../src/processes/project-env.js';

function helloWorkers(): number[] {
  // Top-level `uv run worker` processes in examples/hello (their python child is part of them).
  return allProcs()
    .filter((p) => p.cwd === HELLO && p.argv.slice(-2).join(' ') === 'run worker')
    .map((p) => p.pid);
}

describe('worker supervision', () => {
  let env: Env;
  const extraPids: number[] = [];
  before(async () => {
    env = await makeEnv();
    const r = await tshell(['ensure-server', '--headless'], { env: env.env });
    assert.equal(r.exitCode, 0, r.stderr);
  });
  after(async () => cleanup(env, extraPids));

  it('reports a worker that raises at import as failed at start-up, with its log tail', async () => {
    const r = await tshell(['ensure-worker'], { env: env.env, cwd: join(FIXTURES, 'broken-import') });
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /worker exited during start-up \(exit code 1\)/);
    assert.match(r.stderr, /RuntimeError: fixture: this workflow module is broken at import/);
    assert.doesNotMatch(r.stdout + r.stderr, /ready/);
    const list = await tshell(['list-workers', '--json'], { env: env.env, cwd: join(FIXTURES, 'broken-import') });
    assert.deepEqual((JSON.parse(list.stdout) as { workers: unknown[] }).workers, []);
  });

  it('leaves exactly one worker of the project after ensure-worker twice', async () => {
    const first = await tshell(['ensure-worker', '--json'], { env: env.env });
    assert.equal(first.exitCode, 0, first.stderr);
    const second = await tshell(['ensure-worker', '--json'], { env: env.env });
    assert.equal(second.exitCode, 0, second.stderr);
    const a = JSON.parse(first.stdout) as { pid: number };
    const b = JSON.parse(second.stdout) as { pid: number; stopped: { pid: number }[] };
    assert.notEqual(a.pid, b.pid);
    assert.deepEqual(
      b.stopped.map((s) => s.pid),
      [a.pid],
    );
    assert.equal(isAlive(a.pid), false);
    assert.deepEqual(helloWorkers(), [b.pid]);
    const killed = await tshell(['kill-worker'], { env: env.env });
    assert.equal(killed.exitCode, 0);
    assert.deepEqual(helloWorkers(), []);
  });

  it('never signals an unrelated live process named by a stale PID file', async () => {
    const bystander = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    bystander.unref();
    const pid = bystander.pid as number;
    extraPids.push(pid);
    const pidDir = join(env.stateDir, 'pids');
    mkdirSync(pidDir, { recursive: true });
    const info = readProc(pid);
    // A PID file from an earlier worker whose pid was recycled: the start time does not match.
    writeFileSync(
      join(pidDir, `worker-${HELLO_KEY}.pid`),
      JSON.stringify({
        kind: 'worker',
        pid,
        startTicks: (info?.startTicks ?? 0) - 5000,
        argv: ['uv', 'run', 'worker'],
        cwd: HELLO,
        project: 'hello',
        logFile: '',
        logOffset: 0,
        startedAt: '',
      }),
    );
    const r = await tshell(['ensure-worker'], { env: env.env });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `removed stale PID file worker-hello-[0-9a-f]{8}.pid \\(pid ${pid}: pid now belongs to another program \\(sleep\\); not signalled\\)`,
      ),
    );
    assert.equal(isAlive(pid), true, 'the unrelated process is still alive');
    const all = await tshell(['kill-all-workers'], { env: env.env });
    assert.equal(all.exitCode, 0);
    assert.equal(isAlive(pid), true);
  });

  it('finds a worker started by hand in the project dir, names it, and replaces it only with consent', async () => {
    // `uv run worker` as typed in another terminal, but in an environment outside the checkout's
    // examples/hello (uv would otherwise make a .venv and a uv.lock there): tshell's own for it.
    const runEnv = projectRunEnv(['uv', 'run', 'worker'], HELLO, env.stateDir);
    await prepareRunEnv(['uv', 'run', 'worker'], HELLO, env.stateDir);
    const byHand = spawn('uv', ['run', 'worker'], {
      cwd: HELLO,
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        ...env.env,
        ...runEnv,
        PATH: `${process.env.PATH}:${join(ROOT, '.tools', 'venv', 'bin')}`,
      },
    });
    byHand.unref();
    const handPid = byHand.pid as number;
    extraPids.push(handPid);
    // Wait until it runs (uv has started its python child).
    for (let i = 0; i < 100 && allProcs().filter((p) => p.ppid === handPid).length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const listed = await tshell(['list-workers', '--json'], { env: env.env });
    const workers = (JSON.parse(listed.stdout) as { workers: { pid: number; startedByTshell: boolean }[] }).workers;
    assert.deepEqual(
      workers.map((w) => [w.pid, w.startedByTshell]),
      [[handPid, false]],
    );
    // tshell did not start it: without consent it is named and left running.
    const asked = await tshell(['ensure-worker'], { env: env.env });
    assert.equal(asked.exitCode, 2);
    assert.match(
      asked.stderr,
      new RegExp(
        `ensure-worker needs confirmation: stop pid ${handPid} \\(uv run worker\\)\\? tshell did not start it`,
      ),
    );
    assert.equal(isAlive(handPid), true);
    const r = await tshell(['ensure-worker', '--yes'], { env: env.env });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`stopped worker pid ${handPid} \\(not started by tshell\\)`));
    assert.equal(isAlive(handPid), false);
    assert.equal(helloWorkers().length, 1);
    await tshell(['kill-worker'], { env: env.env });
  });

  it('a worker stopped by SIGTERM from elsewhere during start-up is reported as stopped by that signal', async () => {
    // A worker command that never polls: it is still starting up when the signal comes.
    const pending = tshell(
      ['ensure-worker', '--timeout', '120', '--worker-cmd', 'uv run python -c "import time; time.sleep(120)"'],
      { env: env.env },
    );
    const pidFile = join(env.stateDir, 'pids', `worker-${HELLO_KEY}.pid`);
    const pid = await eventually(
      async () => {
        try {
          return (JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid;
        } catch {
          return undefined;
        }
      },
      60_000,
      'the worker PID file',
    );
    extraPids.push(pid); // its group (uv's python child too) goes at cleanup
    process.kill(pid, 'SIGTERM');
    const r = await pending;
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /worker was stopped by SIGTERM during start-up, from outside tshell/);
    assert.doesNotMatch(r.stderr, /exit code 143|fix the error above/);
  });

  it('two checkouts with the same folder name keep their own worker, PID file, log and lock', async () => {
    const twins = ['x', 'y'].map((side) => {
      const dir = join(env.stateDir, 'twins', side, 'app');
      cpSync(join(FIXTURES, 'evolving'), dir, {
        recursive: true,
        filter: (src) => !/(^|\/)(\.venv|__pycache__)$/.test(src),
      });
      return dir;
    });
    const [x = '', y = ''] = twins;
    const ensure = async (cwd: string) => {
      const r = await tshell(['ensure-worker', '--json'], { env: env.env, cwd });
      assert.equal(r.exitCode, 0, r.stderr);
      return JSON.parse(r.stdout) as { pid: number; logFile: string; project: string };
    };
    const inX = await ensure(x);
    const inY = await ensure(y);
    assert.equal(inX.project, 'app');
    assert.equal(inY.project, 'app');
    assert.notEqual(inX.logFile, inY.logFile);
    assert.ok(isAlive(inX.pid), "y's ensure-worker left x's worker alone");
    assert.equal((await tshell(['kill-worker'], { env: env.env, cwd: y })).exitCode, 0);
    assert.ok(isAlive(inX.pid), "y's kill-worker left x's worker alone");
    assert.equal(isAlive(inY.pid), false);
    await tshell(['kill-worker'], { env: env.env, cwd: x });
  });

  it('writes a log file that is not world-readable and a PID file that proves the process', async () => {
    const r = await tshell(['ensure-worker', '--json'], { env: env.env });
    const data = JSON.parse(r.stdout) as { pid: number; logFile: string };
    const record = JSON.parse(readFileSync(join(env.stateDir, 'pids', `worker-${HELLO_KEY}.pid`), 'utf8')) as {
      pid: number;
      startTicks: number;
    };
    assert.equal(record.pid, data.pid);
    assert.equal(record.startTicks, readProc(data.pid)?.startTicks);
    const { statSync } = await import('node:fs');
    assert.equal(statSync(data.logFile).mode & 0o077, 0);
    assert.equal(statSync(env.stateDir).mode & 0o777, 0o700);
    assert.ok(noStackTrace(r.stderr));
    await tshell(['kill-worker'], { env: env.env });
  });
});
