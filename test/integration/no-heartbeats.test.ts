// A server that keeps no worker heartbeats (frontend.WorkerHeartbeatsEnabled off, as on older servers
// and namespaces without them): every command that uses heartbeats falls back to pollers and says so,
// once, and the worker is still found ready, listed, healthy and serving its queue.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cleanup,
  copyProject,
  declaredJson,
  eventually,
  makeEnv,
  ROOT,
  tshell,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

describe('a server without worker heartbeats', () => {
  let env: Env;
  let server: ChildProcess;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: { ...env.env, TSHELL_HELPER: '0' } });
  const said = /keeps no worker heartbeats \(the server has them off, or predates them\): pollers only/;

  before(async () => {
    env = await makeEnv();
    const [host, port] = env.address.split(':') as [string, string];
    // Started by the test itself: tshell's ensure-server never turns heartbeats off.
    server = spawn(
      join(ROOT, '.tools', 'venv', 'bin', 'temporal'),
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        host,
        '--port',
        port,
        '--db-filename',
        join(env.stateDir, 'nohb.db'),
        '--dynamic-config-value',
        'frontend.WorkerHeartbeatsEnabled=false',
      ],
      { stdio: 'ignore', detached: true },
    );
    await eventually(
      async () => ((await run(['server', 'status', '--json'])).stdout.includes('"reachable": true') ? true : undefined),
      60_000,
      'the server to answer',
    );
    const ready = await run(['ensure-worker', '--json']);
    assert.equal(ready.exitCode, 0, ready.stderr);
  });
  after(async () => {
    await run(['kill-worker']);
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
    await cleanup(env);
  });

  it('list-workers, health and task-queue fall back to pollers and say so once', async () => {
    const listed = await declaredJson<{
      workers: { project: string; taskQueue?: string }[];
      heartbeats: boolean;
      heartbeatsUnavailable?: string;
    }>('list-workers', await run(['list-workers', '--json']));
    assert.equal(listed.heartbeats, false);
    assert.match(listed.heartbeatsUnavailable ?? '', said);
    assert.deepEqual(
      listed.workers.map((w) => [w.project, w.taskQueue]),
      [['hello', 'hello-tasks']],
    );
    for (const args of [['list-workers'], ['health'], ['task-queue', 'hello-tasks']]) {
      const r = await run(args);
      assert.equal(r.exitCode, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(
        r.stdout.split('\n').filter((l) => said.test(l)).length,
        1,
        `${args.join(' ')} says it once:\n${r.stdout}`,
      );
    }
    const health = await declaredJson<{
      heartbeat?: unknown;
      heartbeatsUnavailable?: string;
      pollers: { workflow: unknown[] };
    }>('health', await run(['health', '--json']));
    assert.equal(health.heartbeat, undefined);
    assert.ok(health.pollers.workflow.length > 0, 'the pollers say it serves');
    const queue = await declaredJson<{
      pollers: { live: boolean }[];
      workers: unknown[];
      heartbeatsUnavailable?: string;
    }>('task-queue', await run(['task-queue', 'hello-tasks', '--json']));
    assert.ok(queue.pollers.some((p) => p.live));
    assert.deepEqual(queue.workers, []);
    assert.match(queue.heartbeatsUnavailable ?? '', said);
  });

  it('ensure-worker does not wait for a heartbeat that cannot come: a queue set at run time, no report, says what to pass', async () => {
    const dir = copyProject('old-sdk', env);
    const r = await tshell(['ensure-worker', '--json'], {
      env: { ...env.env, TSHELL_HELPER: '0', TSHELL_WORKER_HOOK: '0' },
      cwd: dir,
      timeoutMs: 120_000,
    });
    assert.equal(r.exitCode, 1, r.stdout + r.stderr);
    const err = (JSON.parse(r.stdout) as { error: { message: string; hint: string } }).error;
    assert.match(
      err.message,
      /^worker pid \d+ is running, but its task queue is set at run time, it has not reported itself, and namespace default at .* keeps no worker heartbeats/,
    );
    assert.match(err.hint, /^pass --task-queue with the queue it polls/);
    await tshell(['kill-worker'], { env: env.env, cwd: dir });
  });
});
