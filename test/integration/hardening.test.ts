// Hardening: concurrent supervisors, crashed workers, lying PID files, bystander processes, server
// restarts and deaths, hostile query values, and private file modes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectedTo, tshellLive } from '../helpers/live.js';
import {
  cleanup,
  declaredJson,
  eventually,
  FIXTURES,
  HELLO,
  BIN,
  makeEnv,
  noStackTrace,
  tshell,
  type Env,
  HELLO_KEY,
} from '../helpers/tshell.js';
import { allProcs, isAlive, readProc } from '../../src/processes/proc.js';

const MONITOR = join(FIXTURES, 'monitor');

function workersOf(dir: string): number[] {
  return allProcs()
    .filter((p) => p.cwd === dir && p.argv.slice(-2).join(' ') === 'run worker')
    .map((p) => p.pid);
}

describe('hardening', () => {
  let env: Env;
  const extra: number[] = [];
  before(async () => {
    env = await makeEnv();
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
  });
  after(async () => cleanup(env, extra));

  it('two ensure-worker at once end with exactly one worker of the project', async () => {
    const [a, b] = await Promise.all([
      tshell(['ensure-worker'], { env: env.env }),
      tshell(['ensure-worker'], { env: env.env }),
    ]);
    assert.equal(a.exitCode, 0, a.stderr);
    assert.equal(b.exitCode, 0, b.stderr);
    const alive = workersOf(HELLO);
    assert.equal(alive.length, 1, `workers alive: ${alive.join(', ')}`);
    const pids = [a, b].map((r) => Number(/worker ready in .*: pid (\d+) polls/.exec(r.stdout)?.[1]));
    assert.ok(pids.includes(alive[0] as number));
    assert.match(a.stderr + b.stderr, /waiting for tshell pid \d+, which is starting this project's worker/);
  });

  it('reports a worker killed with SIGKILL as dead on the next look, and cleans its PID file', async () => {
    const list = await declaredJson<{ workers: { pid: number; alive: boolean }[] }>(
      'list-workers',
      await tshell(['list-workers', '--json'], { env: env.env }),
    );
    const pid = list.workers[0]?.pid as number;
    process.kill(-pid, 'SIGKILL');
    await eventually(async () => (isAlive(pid) ? undefined : true), 5000, 'the worker to die');
    const after = await tshell(['list-workers', '--json'], { env: env.env });
    const d = await declaredJson<{ workers: { pid: number; alive: boolean }[]; stalePidFiles: { pid: number }[] }>(
      'list-workers',
      after,
    );
    assert.deepEqual(
      d.workers.map((w) => [w.pid, w.alive]),
      [[pid, false]],
    );
    assert.deepEqual(
      d.stalePidFiles.map((s) => s.pid),
      [pid],
    );
    const again = await declaredJson<{ workers: unknown[] }>(
      'list-workers',
      await tshell(['list-workers', '--json'], { env: env.env }),
    );
    assert.deepEqual(again.workers, [], 'the PID file is gone');
    const prompt = await tshell(['-i'], { env: env.env, input: 'exit\n' });
    assert.match(prompt.stdout, /worker ▽/);
  });

  it('health names a dead worker', async () => {
    await tshell(['ensure-worker'], { env: env.env });
    const pid = (
      await declaredJson<{ workers: { pid: number }[] }>(
        'list-workers',
        await tshell(['list-workers', '--json'], { env: env.env }),
      )
    ).workers[0]?.pid as number;
    process.kill(-pid, 'SIGKILL');
    await eventually(async () => (isAlive(pid) ? undefined : true), 5000, 'the worker to die');
    const h = await tshell(['health'], { env: env.env });
    assert.equal(h.exitCode, 1);
    assert.match(h.stdout, new RegExp(`worker pid ${pid} is dead \\(killed or crashed\\)`));
  });

  it('never signals a live process that a PID file names but is not ours (worker or server)', async () => {
    const bystander = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    bystander.unref();
    const pid = bystander.pid as number;
    extra.push(pid);
    const info = readProc(pid);
    // Same pid, same command line written by an attacker or an old file: the start time differs.
    mkdirSync(join(env.stateDir, 'pids'), { recursive: true });
    writeFileSync(
      join(env.stateDir, 'pids', `worker-${HELLO_KEY}.pid`),
      JSON.stringify({
        kind: 'worker',
        pid,
        startTicks: (info?.startTicks ?? 0) + 7,
        argv: info?.argv,
        cwd: HELLO,
        project: 'hello',
        logFile: '',
        logOffset: 0,
        startedAt: '',
      }),
    );
    const k = await tshell(['kill-worker'], { env: env.env });
    assert.equal(k.exitCode, 0);
    assert.match(k.stdout, /removed stale PID file worker-hello-[0-9a-f]{8}\.pid .*not signalled/);
    assert.ok(isAlive(pid));
    // A server PID file pointing at it: `server stop` must refuse.
    const port = env.address.split(':')[1];
    const serverPidFile = join(env.stateDir, 'server', `server-${port}.pid`);
    const real = readFileSync(serverPidFile, 'utf8');
    writeFileSync(
      serverPidFile,
      JSON.stringify({
        kind: 'server',
        pid,
        startTicks: (info?.startTicks ?? 0) + 7,
        argv: info?.argv,
        cwd: '/',
        logFile: '',
        logOffset: 0,
        startedAt: '',
      }),
    );
    const s = await tshell(['server', 'stop'], { env: env.env });
    assert.match(s.stdout, /was not started by tshell: not stopping it/);
    assert.ok(isAlive(pid));
    writeFileSync(serverPidFile, real);
  });

  it('kill-all-workers stops project workers only: an unrelated python process survives, even in the project dir', async () => {
    const py = spawn('python3', ['-c', 'import time; time.sleep(300)'], {
      cwd: HELLO,
      detached: true,
      stdio: 'ignore',
    });
    py.unref();
    extra.push(py.pid as number);
    await tshell(['ensure-worker'], { env: env.env });
    await tshell(['ensure-worker'], { env: env.env, cwd: MONITOR });
    assert.equal(workersOf(MONITOR).length, 1);
    const r = await tshell(['kill-all-workers', '--json'], { env: env.env });
    const d = await declaredJson<{ stopped: { project: string }[] }>('kill-all-workers', r);
    assert.deepEqual(d.stopped.map((s) => s.project).sort(), ['hello', 'monitor']);
    assert.deepEqual(workersOf(HELLO), []);
    assert.deepEqual(workersOf(MONITOR), []);
    assert.ok(isAlive(py.pid as number), 'the unrelated python process is alive');
  });

  it('keeps every workflow across server stop + ensure-server (the database persists)', async () => {
    await tshell(['ensure-worker'], { env: env.env });
    const started = await tshell(
      ['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--input', '"Ada"'],
      { env: env.env },
    );
    assert.equal(started.exitCode, 0, started.stderr);
    assert.equal((await tshell(['server', 'stop', '--yes'], { env: env.env })).exitCode, 0);
    const up = await tshell(['ensure-server', '--headless'], { env: env.env });
    assert.match(up.stdout, /started temporal server start-dev/);
    await tshell(['ensure-worker'], { env: env.env });
    assert.equal((await tshell(['signal', 'approve', '--input', '"Bo"'], { env: env.env })).exitCode, 0);
    assert.equal((await tshell(['wait', '--status', 'COMPLETED', '--timeout', '30'], { env: env.env })).exitCode, 0);
    const r = await tshell(['result'], { env: env.env });
    assert.match(r.stdout, /Hello, Ada! \(approved by Bo\)/);
  });

  it("a server that dies during `wait` gives one clear line (long before the wait's own 60 s); the REPL lives on and works once the server is back", async () => {
    await tshell(['ensure-worker'], { env: env.env });
    await tshell(['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--input', '"Cy"'], {
      env: env.env,
    });
    const child = spawn(process.execPath, [BIN, '-i'], {
      cwd: HELLO,
      env: { ...process.env, ...env.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let errAt = 0;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      out += d;
      if (!errAt && /cannot reach Temporal/.test(out)) errAt = Date.now();
    });
    const exited = new Promise((r) => child.on('exit', r));
    try {
      child.stdin.write('wait --status COMPLETED --timeout 60\n');
      // Under way: the wait has described the workflow and printed that it waits for the close.
      const waiting = /waiting for \S+ to close as COMPLETED/;
      await eventually(async () => (waiting.test(out) ? true : undefined), 30_000, 'the wait to be under way');
      const serverPid = (
        await declaredJson<{ managed: { pid: number } }>(
          'server',
          await tshell(['server', 'status', '--json'], { env: env.env }),
        )
      ).managed.pid;
      process.kill(serverPid, 'SIGKILL');
      await eventually(async () => (errAt ? true : undefined), 10_000, 'the error line');
      child.stdin.write('ensure-server --headless\ndescribe\nexit\n');
      const code = await exited;
      assert.equal(code, 0);
      assert.match(out, /started temporal server start-dev/);
      assert.match(out, /ApprovalWorkflow[\s\S]*RUNNING|RUNNING[\s\S]*ApprovalWorkflow/);
      assert.ok(noStackTrace(out), out);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a server that dies in the middle of `recent` or `diagnose`: one clear line, not a hang, then the next command works', async () => {
    for (const args of [['recent'], ['diagnose']]) {
      assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
      const serverPid = (
        await declaredJson<{ managed: { pid: number } }>(
          'server',
          await tshell(['server', 'status', '--json'], { env: env.env }),
        )
      ).managed.pid;
      // Frozen first, so the call is surely in flight (the kernel still accepts the connection), then killed.
      process.kill(serverPid, 'SIGSTOP');
      // In-process (no helper), so the connection to watch is the command's own.
      const child = tshellLive(args, { env: { ...env.env, TSHELL_HELPER: '0' } });
      try {
        // In the middle: the command holds a connection to the frozen server.
        const port = Number(env.address.split(':').at(-1));
        await eventually(
          async () => (connectedTo([child.pid], port) ? true : undefined),
          30_000,
          `${args[0]} to connect`,
        );
        process.kill(serverPid, 'SIGKILL');
        process.kill(serverPid, 'SIGCONT');
        const { exitCode: code, stderr: err } = await child.done;
        assert.equal(code, 2, `${args[0]}: ${err}`);
        assert.match(err, /cannot reach Temporal/);
        assert.equal(
          err
            .trim()
            .split('\n')
            .filter((l) => !l.startsWith('  hint:')).length,
          1,
          err,
        );
        assert.ok(noStackTrace(err), err);
      } finally {
        child.stop();
      }
    }
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
    assert.equal((await tshell(['recent'], { env: env.env })).exitCode, 0);
  });

  it('names the process holding a port', async () => {
    const { createServer } = await import('node:net');
    const srv = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as { port: number }).port;
    try {
      const r = await tshell(['ensure-server', '--address', `127.0.0.1:${port}`], { env: env.env });
      assert.match(
        r.stderr,
        new RegExp(`port ${port} is taken by a program that is not a Temporal server \\(pid ${process.pid}: `),
      );
    } finally {
      srv.close();
    }
  });

  it('quotes and escapes every value that reaches a visibility query', async () => {
    await tshell(['ensure-worker'], { env: env.env });
    const hostile = ['q"uote-1', 'back\\slash-1', 'and AND x-1', 'or" OR WorkflowId != "x', 'line\nbreak-1'];
    for (const id of hostile) {
      const r = await tshell(
        ['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--id', id, '--input', '"z"'],
        { env: env.env },
      );
      assert.equal(r.exitCode, 0, `${JSON.stringify(id)}: ${r.stderr}`);
    }
    const one = await tshell(['bulk-cancel', '--pattern', 'q"uote-*', '--terminate', '--yes', '--json'], {
      env: env.env,
    });
    assert.deepEqual(
      (await declaredJson<{ matched: { workflowId: string }[] }>('bulk-cancel', one)).matched.map((m) => m.workflowId),
      ['q"uote-1'],
    );
    const injection = await tshell(
      ['bulk-cancel', '--pattern', 'x" OR WorkflowId STARTS_WITH "*', '--terminate', '--yes', '--json'],
      { env: env.env },
    );
    assert.equal(injection.exitCode, 0, injection.stderr);
    assert.deepEqual((await declaredJson<{ matched: unknown[] }>('bulk-cancel', injection)).matched, []);
    for (const [pattern, id] of [
      ['back\\slash-*', 'back\\slash-1'],
      ['and AND*', 'and AND x-1'],
      ['or" OR*', 'or" OR WorkflowId != "x'],
      ['line\nbreak*', 'line\nbreak-1'],
    ] as const) {
      const r = await tshell(['bulk-cancel', '--pattern', pattern, '--terminate', '--yes', '--json'], { env: env.env });
      assert.equal(r.exitCode, 0, `${JSON.stringify(pattern)}: ${r.stderr}`);
      assert.deepEqual(
        (await declaredJson<{ matched: { workflowId: string }[] }>('bulk-cancel', r)).matched.map((m) => m.workflowId),
        [id],
      );
    }
  });

  it('runs a worker command with quotes without a shell, and refuses shell operators', async () => {
    const quoted = await tshell(['ensure-worker', '--worker-cmd', 'uv run "worker"'], { env: env.env });
    assert.equal(quoted.exitCode, 0, quoted.stderr);
    const op = await tshell(['ensure-worker', '--worker-cmd', 'uv run worker; touch /tmp/tshell-pwned'], {
      env: env.env,
    });
    assert.equal(op.exitCode, 2);
    assert.match(op.stderr, /must be a plain command, not a shell expression/);
  });

  it('creates the state dir and everything in it private: dirs 0700, files without group or other access', async () => {
    const bad: string[] = [];
    // uv's environments and Python's bytecode caches are written by those tools with their own modes:
    // the 0700 folders that hold them keep them private.
    const toolMade = new Set([join(env.stateDir, 'envs'), join(env.stateDir, 'pycache')]);
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        const st = statSync(full);
        if (st.isDirectory()) {
          if ((st.mode & 0o777) !== 0o700) bad.push(`${full} ${(st.mode & 0o777).toString(8)}`);
          if (!toolMade.has(full)) walk(full);
        } else if (st.mode & 0o077) bad.push(`${full} ${(st.mode & 0o777).toString(8)}`);
      }
    };
    walk(env.stateDir);
    assert.deepEqual(bad, []);
  });
});
