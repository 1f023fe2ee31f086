// The REPL and scripts start from tshell's V8 startup snapshot through bin/tshell, the launcher users
// run, and behave exactly as when Node loads dist/cli.js: the same answers and errors, the run's own
// environment, directory and terminal (not the build's), the packages loaded on first use (the
// Temporal client, execa, chalk, inquirer). A snapshot built for another checkout, older than
// dist/cli.js, or turned off is not used.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { cleanup, FIXTURES, HELLO, inPty, makeEnv, ROOT, startType, tshell, type Env, type RunResult } from '../helpers/tshell.js';

const LAUNCHER = join(ROOT, 'bin', 'tshell');
const STARTED_FROM_IT = /started from the startup snapshot/;

describe('the startup snapshot', () => {
  let env: Env;
  let workflowId = '';
  let waitingId = '';
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: HELLO });
  /** A script fed on stdin to a launcher (no command word: the path that uses the snapshot). */
  const script = async (lines: string[], opts: { launcher?: string; cwd?: string; extra?: Record<string, string>; jsonLines?: boolean } = {}) => {
    const r = await execa(opts.launcher ?? LAUNCHER, ['--keep-going', ...(opts.jsonLines ? ['--json'] : [])], { cwd: opts.cwd ?? HELLO, env: { ...env.env, ...opts.extra }, input: `${lines.join('\n')}\n`, reject: false, timeout: 120_000 });
    return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
  };
  /** The data of a one-line JSON Lines script. */
  const data = async <T>(line: string, opts: Parameters<typeof script>[1] = {}): Promise<T> => {
    const r = await script([line], { ...opts, jsonLines: true });
    return (JSON.parse(r.stdout) as { data: T }).data;
  };
  const fastStart = async (opts: Parameters<typeof script>[1] = {}) => {
    const { checks } = await data<{ checks: { name: string; detail: string }[] }>('doctor', opts);
    return checks.find((c) => c.name === 'fast start')?.detail ?? '';
  };

  before(async () => {
    env = await makeEnv();
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
    workflowId = await startType(run, 'GreetingWorkflow', 'hello-tasks', '--input', '"snapshot"');
    assert.equal((await run(['wait', '--id', workflowId, '--timeout', '30'])).exitCode, 0);
    waitingId = await startType(run, 'ApprovalWorkflow', 'hello-tasks', '--input', '"order-7"');
  });
  after(async () => cleanup(env));

  it('npm run build makes it for this checkout and Node, and the launcher starts scripts from it', async () => {
    const snap = join(ROOT, 'dist', 'snapshot');
    assert.ok(existsSync(join(snap, 'tshell.blob')), 'the blob is built');
    assert.deepEqual(readFileSync(join(snap, 'built-for'), 'utf8').trim().split('\n'), [ROOT, process.execPath]);
    assert.match(await fastStart(), STARTED_FROM_IT);
    assert.doesNotMatch(await fastStart({ extra: { TSHELL_SNAPSHOT: '0' } }), STARTED_FROM_IT);
  });

  it('answers like dist/cli.js: the Temporal client, tables, errors with hints, JSON', async () => {
    const lines = [
      `describe --id ${workflowId} --json`,
      `result --id ${workflowId}`,
      'list-workers',
      'describe --id no-such-workflow',
      'stauts',
      `signal --id ${workflowId} approve --input '{bad'`,
      'config --json',
    ];
    const fromSnapshot = await script(lines);
    const fromModules = await script(lines, { extra: { TSHELL_SNAPSHOT: '0' } });
    const same = (text: string) => text.replace(/"durationMs": \d+/g, '').replace(/\d+(\.\d+)?(ms|s)\b/g, 'T');
    assert.equal(fromSnapshot.exitCode, fromModules.exitCode);
    assert.equal(same(fromSnapshot.stdout), same(fromModules.stdout));
    assert.equal(same(fromSnapshot.stderr), same(fromModules.stderr));
    // And they are real answers, not two equal failures.
    assert.match(fromSnapshot.stdout, /"status": "COMPLETED"/);
    assert.match(fromSnapshot.stdout, /Hello, snapshot!/);
    assert.match(fromSnapshot.stdout, /hello-tasks {2,}uv run worker/);
    assert.match(fromSnapshot.stderr, /workflow no-such-workflow not found/);
    assert.match(fromSnapshot.stderr, /unknown command: stauts\n {2}hint: did you mean/);
    assert.match(fromSnapshot.stderr, /JSON/);
    assert.match(fromSnapshot.stdout + fromSnapshot.stderr, /7 commands, 4 ok, 3 failed/);
  });

  it("reads the run's environment, directory and terminal, not the build's", async () => {
    const project = join(FIXTURES, 'flat-scripts');
    const { settings } = await data<{ settings: { name: string; value: string }[] }>('config', { cwd: project, extra: { TEMPORAL_NAMESPACE: 'snapshot-ns' } });
    const config = Object.fromEntries(settings.map((x) => [x.name, x.value]));
    assert.equal(config.projectDir, project);
    assert.equal(config.namespace, 'snapshot-ns');
    assert.equal(config.stateDir, env.stateDir);
    // In a terminal: the prompt names this project and namespace, a question is asked (inquirer,
    // loaded on first use) and answered.
    const pty = await inPty([LAUNCHER], [
      { expect: 'snapshot-ns · flat-scripts', send: `cancel --id ${waitingId} --namespace default\r` },
      { expect: 'ApprovalWorkflow, RUNNING', send: 'n\r' },
      { expect: 'nothing was changed', send: 'doctor\r' },
      { expect: 'started from the startup snapshot', send: 'exit\r' },
    ], { env: { ...env.env, TEMPORAL_NAMESPACE: 'snapshot-ns' }, cwd: project });
    assert.ok(pty.ok, `step ${pty.failedStep}: ${pty.transcript.slice(-1500)}`);
    // Colour (chalk, loaded on first use) as the run asks for it.
    const forced = { NO_COLOR: '', FORCE_COLOR: '1' };
    const colored = await script(['stauts'], { extra: forced });
    assert.match(colored.stdout, /\x1b\[1m› stauts/);
    assert.match(colored.stderr, /\x1b\[31m✗/);
    assert.deepEqual(colored, await script(['stauts'], { extra: { ...forced, TSHELL_SNAPSHOT: '0' } }));
    assert.doesNotMatch((await script(['stauts'])).stderr, /\x1b\[/, 'NO_COLOR: no colour');
  });

  it('is not used when it belongs to another checkout or is older than dist/cli.js', async () => {
    // A second checkout: the same files, its own paths (packages from this one).
    const other = mkdtempSync(join(tmpdir(), 'tshell-checkout-'));
    try {
      for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(other, part), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'));
      const launcher = join(other, 'bin', 'tshell');
      const detail = await fastStart({ launcher });
      assert.doesNotMatch(detail, STARTED_FROM_IT, 'built for another checkout');
      assert.match(detail, /startup snapshot built/);
      // Claimed for this checkout: used while not older than its dist/cli.js, not once cli.js is newer.
      const snap = join(other, 'dist', 'snapshot');
      writeFileSync(join(snap, 'built-for'), `${other}\n${process.execPath}\n`);
      const now = Date.now() / 1000;
      utimesSync(join(other, 'dist', 'cli.js'), now - 60, now - 60);
      utimesSync(join(snap, 'tshell.blob'), now - 30, now - 30);
      assert.match(await fastStart({ launcher }), STARTED_FROM_IT);
      utimesSync(join(other, 'dist', 'cli.js'), now, now);
      assert.doesNotMatch(await fastStart({ launcher }), STARTED_FROM_IT, 'dist/cli.js rebuilt after the snapshot');
      // No snapshot at all: Node loads dist/cli.js.
      rmSync(snap, { recursive: true });
      mkdirSync(snap);
      assert.match(await fastStart({ launcher }), /no startup snapshot/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
