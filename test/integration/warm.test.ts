// The warm helper, for real: started by the first warm one-shot, answering the next ones with the
// same output as in-process, and every way it can fail: killed (a stale socket), killed mid-command,
// a request without the owner's token, another user, a client of another build; and stopped by
// kill-all-workers --include-server and exit --cleanup.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tshellLive } from '../helpers/live.js';
import { execa } from 'execa';
import {
  BIN,
  ROOT,
  cleanup,
  declaredJson,
  eventually,
  HELLO,
  makeEnv,
  spawnEveryCommand,
  startType,
  tshell,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

// About the launcher and its helper: every command is a real spawn of bin/tshell.cjs.
spawnEveryCommand();

type Helper = { running: boolean; pid: number; served: number; socket: string };

describe('the warm helper', () => {
  let env: Env;
  let workflowId = '';
  const run = (args: string[], extra: Record<string, string> = {}): Promise<RunResult> =>
    tshell(args, { env: { ...env.env, ...extra }, cwd: HELLO });
  const helper = async (): Promise<Helper | undefined> =>
    (await declaredJson<{ helper?: Helper }>('server', await run(['server', 'status', '--json']))).helper;
  const runningHelper = (other?: number) =>
    eventually(
      async () => {
        const h = await helper();
        return h?.running && h.pid !== other ? h : undefined;
      },
      20_000,
      'a running helper',
    );
  const alive = (pid: number) => existsSync(`/proc/${pid}`);
  /** One raw request on the helper's socket, and the first frame it answers. */
  const rawRequest = (socket: string, body: Record<string, unknown>) =>
    new Promise<string>((resolve, reject) => {
      const c = createConnection(socket);
      let got = '';
      c.on('connect', () => c.write(`${JSON.stringify(body)}\n`));
      c.on('data', (d) => (got += d.toString()));
      c.on('close', () => resolve(got.split('\n')[0] ?? ''));
      c.on('error', reject);
    });
  const describeJson = async (extra: Record<string, string> = {}) => {
    const r = await run(['describe', '--id', workflowId, '--json'], extra);
    assert.equal(r.exitCode, 0, r.stderr);
    const { durationMs: _d, ...rest } = JSON.parse(r.stdout) as Record<string, unknown>;
    return rest;
  };

  before(async () => {
    env = await makeEnv();
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
    workflowId = await startType(run, 'GreetingWorkflow', 'hello-tasks', '--input', '"warm"');
    assert.equal((await run(['wait', '--id', workflowId, '--timeout', '30'], { TSHELL_HELPER: '0' })).exitCode, 0);
  });
  after(async () => cleanup(env));

  it('the first warm one-shot starts it, the next ones are answered by it with the same output', async () => {
    assert.equal(await helper(), undefined, 'TSHELL_HELPER=0 started none');
    const inProcess = await describeJson({ TSHELL_HELPER: '0' });
    await describeJson(); // in-process, and starts the helper
    const h = await runningHelper();
    const dir = join(env.stateDir, 'helper');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o600);
    const warm = await describeJson();
    assert.deepEqual(warm, inProcess);
    assert.equal((await runningHelper()).served, h.served + 1, 'the helper answered it');
    // Errors come back the same way: one line, a hint, the exit code.
    const missing = await run(['describe', '--id', 'no-such-workflow']);
    const missingHere = await run(['describe', '--id', 'no-such-workflow'], { TSHELL_HELPER: '0' });
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /^✗ .*no-such-workflow.*\n {2}hint: /);
    assert.deepEqual(
      [missing.exitCode, missing.stdout, missing.stderr],
      [missingHere.exitCode, missingHere.stdout, missingHere.stderr],
    );
    assert.equal((await runningHelper()).served, h.served + 2);
    // A command that is not warm (it may ask, or start processes) runs in-process.
    assert.equal((await run(['config', '--json'])).exitCode, 0);
    assert.equal((await runningHelper()).served, h.served + 2);
    // list-workers shows it.
    const lw = await declaredJson<{ helper?: Helper }>('list-workers', await run(['list-workers', '--json']));
    assert.equal(lw.helper?.pid, h.pid);
  });

  it('killed: the socket it leaves is stale; the next one-shot answers in-process and starts a new helper', async () => {
    const old = await runningHelper();
    process.kill(old.pid, 'SIGKILL');
    await eventually(async () => (alive(old.pid) ? undefined : true), 5_000, 'the helper to die');
    assert.ok(existsSync(old.socket), 'SIGKILL leaves the socket file behind');
    assert.deepEqual(
      Object.keys(await describeJson()).sort(),
      Object.keys(await describeJson({ TSHELL_HELPER: '0' })).sort(),
    );
    const fresh = await runningHelper(old.pid);
    assert.notEqual(fresh.pid, old.pid);
    assert.equal((await run(['describe', '--id', workflowId, '--json'])).exitCode, 0);
    assert.equal((await runningHelper()).served, fresh.served + 1);
  });

  /** A `wait` the helper is answering when it is SIGKILLed: the caller says so and answers in-process. */
  const killedMidWait = async (helperPid: number, program?: string[]) => {
    const id = await startType(run, 'ApprovalWorkflow', 'hello-tasks', '--input', '"Ada"');
    const waiting = tshellLive(['wait', '--id', id, '--timeout', '60'], {
      env: env.env,
      ...(program ? { program } : {}),
    });
    // The helper is in the middle of it: it has described the workflow and streamed its progress line.
    await waiting.printed(/waiting for \S+ to close as COMPLETED/);
    process.kill(helperPid, 'SIGKILL');
    assert.equal((await run(['signal', 'approve', '--id', id, '--input', '"Bo"'])).exitCode, 0);
    const r = await waiting.done;
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /the warm helper went away mid-command; running it here/);
    assert.match(r.stdout, /COMPLETED/);
  };

  it('killed mid-command: the one-shot still answers, in-process', async () => {
    const h = await runningHelper();
    await killedMidWait(h.pid);
  });

  it("refuses a request without the owner's token, one of another shape, and a client of another build (then exits)", async () => {
    // The helper the last test's fallback started (no one-shot here: one could start another helper
    // that comes up after this one exits, and its socket would be taken for this one's).
    const h = await runningHelper();
    assert.equal(
      await rawRequest(h.socket, { token: 'not-the-token', build: 'x', argv: ['describe'] }),
      '{"refuse":"token"}',
    );
    assert.ok(alive(h.pid));
    const token = readFileSync(join(env.stateDir, 'helper', 'token'), 'utf8');
    // The owner's token and this build, but not a request's shape: refused, and the helper serves on.
    const { buildStamp } = await import('../../src/shell/warm/client.js');
    const build = buildStamp(join(ROOT, 'dist', 'cli.js'));
    assert.equal(await rawRequest(h.socket, { token, build, argv: 'describe' }), '{"refuse":"not a request"}');
    assert.ok(alive(h.pid));
    assert.equal(
      await rawRequest(h.socket, { token, build: 'another-build', argv: ['describe'], cwd: HELLO, env: {} }),
      '{"refuse":"build"}',
    );
    await eventually(async () => (alive(h.pid) ? undefined : true), 5_000, 'the outdated helper to exit');
    assert.ok(!existsSync(h.socket), 'it removed its socket');
    // Still answered: in-process, and a current helper comes up.
    assert.equal((await run(['describe', '--id', workflowId, '--json'])).exitCode, 0);
    await runningHelper(h.pid);
  });

  it('another user is never served: the state dir is not theirs to enter', async () => {
    const h = await runningHelper();
    if (process.getuid?.() !== 0) {
      // Not root: no second user to be. The dir's mode is the guard, checked here instead.
      assert.equal(statSync(join(env.stateDir, 'helper')).mode & 0o077, 0);
      return;
    }
    // Root can be someone else: `nobody` with the same state dir cannot read the token or reach the socket.
    await execa(process.execPath, [BIN, 'describe', '--id', workflowId, '--json'], {
      cwd: '/tmp',
      env: { ...env.env, HOME: '/tmp' },
      uid: 65534,
      gid: 65534,
      reject: false,
    });
    assert.equal((await runningHelper()).served, h.served, 'the helper answered no one else');
  });

  it('the launcher users run (bin/tshell.cjs through its #! line): the helper answers, or the command runs in-process', async () => {
    const launcher = join(ROOT, 'bin', 'tshell.cjs');
    const viaLauncher = (args: string[], extra: Record<string, string> = {}) =>
      execa(launcher, args, { cwd: HELLO, env: { ...env.env, ...extra }, reject: false });
    await describeJson();
    const h = await runningHelper();
    const inProcess = await describeJson({ TSHELL_HELPER: '0' });
    const warm = await viaLauncher(['describe', '--id', workflowId, '--json']);
    assert.equal(warm.exitCode, 0, warm.stderr);
    const { durationMs: _d, ...rest } = JSON.parse(warm.stdout) as Record<string, unknown>;
    assert.deepEqual(rest, inProcess);
    assert.equal((await runningHelper()).served, h.served + 1);
    // Text, colour off, an error with its hint and exit code: byte for byte what Node prints.
    for (const args of [
      ['describe', '--id', workflowId],
      ['describe', '--id', 'no-such-workflow'],
      ['recent', '--limit', '3'],
    ]) {
      const a = await viaLauncher(args);
      const b = await viaLauncher(args, { TSHELL_HELPER: '0' });
      assert.deepEqual(
        [a.exitCode, a.stdout.replace(/\d+ms|\d+(\.\d+)?s\b/g, 'T'), a.stderr],
        [b.exitCode, b.stdout.replace(/\d+ms|\d+(\.\d+)?s\b/g, 'T'), b.stderr],
        args.join(' '),
      );
    }
    // Commands it does not serve, and unknown ones, go to Node.
    const unknown = await viaLauncher(['descrbe']);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /unknown command: descrbe\n {2}hint: did you mean describe/);
    assert.equal((await viaLauncher(['config', '--json'])).exitCode, 0);
    // Killed: a stale socket, then Node answers and a new helper starts.
    process.kill(h.pid, 'SIGKILL');
    await eventually(async () => (alive(h.pid) ? undefined : true), 5_000, 'the helper to die');
    const after = await viaLauncher(['describe', '--id', workflowId, '--json']);
    assert.equal(after.exitCode, 0, after.stderr);
    const fresh = await runningHelper(h.pid);
    // Killed mid-command: the note, then Node's answer.
    await killedMidWait(fresh.pid, [launcher]);
  });

  it('kill-all-workers --include-server and exit --cleanup stop it', async () => {
    const h = await runningHelper();
    const killed = await declaredJson<{ helper?: { pid: number } | null }>(
      'kill-all-workers',
      await run(['kill-all-workers', '--include-server', '--yes', '--json']),
    );
    assert.equal(killed.helper?.pid, h.pid);
    await eventually(async () => (alive(h.pid) ? undefined : true), 5_000, 'the helper to stop');
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    await describeJson();
    const again = await runningHelper(h.pid);
    const exited = await declaredJson<{ helperStopped?: number }>('exit', await run(['exit', '--cleanup', '--json']));
    assert.equal(exited.helperStopped, again.pid);
    await eventually(async () => (alive(again.pid) ? undefined : true), 5_000, 'the helper to stop');
  });
});
