// Bad input and broken surroundings: one clear line and a hint, the right exit code, no stack
// trace, and the REPL stays alive.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cleanup, freePort, makeEnv, noStackTrace, tshell, type Env } from '../helpers/tshell.js';

const NEEDS_SERVER = [
  ['start'],
  ['wait', '--id', 'x'],
  ['result', '--id', 'x'],
  ['describe', '--id', 'x'],
  ['start', '--type', 'T', '--task-queue', 'q'],
  ['recent'],
  ['stalled'],
  ['errors', '--id', 'x'],
  ['history', '--id', 'x'],
  ['stack', '--id', 'x'],
  ['task-queue', 'q'],
  ['signal', 'go', '--id', 'x'],
  ['update', 'go', '--id', 'x'],
  ['query', 'go', '--id', 'x'],
  ['cancel', '--id', 'x', '--yes'],
  ['terminate', '--id', 'x', '--yes'],
  ['bulk-cancel', '--pattern', 'a*', '--yes'],
  ['use', 'x'],
  ['diagnose', '--id', 'x'],
  ['diagnose', '--all'],
];

describe('errors', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
  });
  after(async () => cleanup(env));

  it('answers every server command with one line when the server is down: exit 2, no stack trace (how fast: bench/)', async () => {
    for (const args of NEEDS_SERVER) {
      const r = await tshell(args, { env: env.env });
      assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`cannot reach Temporal at ${env.address.replace('.', '\\.')}`));
      assert.match(r.stderr, /hint: run `ensure-server`/);
      assert.ok(noStackTrace(r.stderr), r.stderr);
    }
  });

  it('reports the server as unreachable in health and doctor (exit 1: the answer is a problem)', async () => {
    const r = await tshell(['health'], { env: env.env });
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /✗ server .* not reachable \(ensure-server\)/);
  });

  it('suggests the closest commands for an unknown one', async () => {
    const r = await tshell(['ensure-servr'], { env: env.env });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /unknown command: ensure-servr\n.*did you mean ensure-server/);
  });

  it('rejects an unknown flag, a bad number and malformed JSON before doing anything', async () => {
    const flag = await tshell(['wait', '--stauts', 'COMPLETED'], { env: env.env });
    assert.equal(flag.exitCode, 2);
    assert.match(flag.stderr, /unknown flag --stauts\n.*did you mean --status/);
    // With --json a usage error is JSON on stdout too.
    const asJson = await tshell(['wait', '--stauts', 'COMPLETED', '--json'], { env: env.env });
    assert.equal(asJson.exitCode, 2);
    const e = JSON.parse(asJson.stdout) as { error: { code: string; message: string; hint: string } };
    assert.equal(e.error.code, 'TSHELL-USAGE');
    assert.match(e.error.message, /unknown flag --stauts/);
    assert.match(e.error.hint, /did you mean --status/);
    const num = await tshell(['wait', '--timeout', 'soon'], { env: env.env });
    assert.match(num.stderr, /--timeout needs a number, not "soon"/);
    const json = await tshell(['start', '--type', 'T', '--task-queue', 'q', '--input', '{"name": "Ada",}'], {
      env: env.env,
    });
    assert.equal(json.exitCode, 2);
    assert.match(json.stderr, /--input is not valid JSON at position 15/);
    const status = await tshell(['wait', '--status', 'DONE'], { env: env.env });
    assert.match(status.stderr, /--status must be one of RUNNING, COMPLETED/);
  });

  it('says when there is no current workflow', async () => {
    const r = await tshell(['result'], { env: env.env });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /no current workflow\n.*pass --id, or run `start` first/);
  });

  it('reports a missing temporal binary with the command that fixes it', async () => {
    const r = await tshell(['ensure-server', '--temporal-cli', '/nonexistent/temporal'], { env: env.env });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /temporal CLI not found\n.*tshell setup/);
  });

  it('reports a worker command whose program does not exist', async () => {
    const r = await tshell(['ensure-worker', '--worker-cmd', 'no-such-program-xyz run'], { env: env.env });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /no-such-program-xyz/);
    assert.ok(noStackTrace(r.stderr), r.stderr);
  });

  it('refuses a port held by a program that is not a Temporal server', async () => {
    const { createServer } = await import('node:net');
    const port = await freePort();
    const squatter = createServer((s) => s.destroy()).listen(port, '127.0.0.1');
    try {
      const r = await tshell(['ensure-server', '--address', `127.0.0.1:${port}`, '--headless'], { env: env.env });
      assert.equal(r.exitCode, 2);
      assert.match(r.stderr, new RegExp(`port ${port} is taken by a program that is not a Temporal server`));
    } finally {
      squatter.close();
    }
  });

  it("says why the dev server died while starting (the Web UI's port taken) and how to choose another", async () => {
    const { createServer } = await import('node:net');
    const ui = await freePort();
    const squatter = createServer((s) => s.destroy()).listen(ui, '127.0.0.1');
    try {
      const port = await freePort();
      const r = await tshell(['ensure-server', '--address', `127.0.0.1:${port}`, '--ui-port', String(ui)], {
        env: env.env,
      });
      assert.equal(r.exitCode, 2);
      assert.match(r.stderr, /temporal server exited while starting \(code 1\)/);
      assert.match(r.stderr, new RegExp(`Error: can't set UI port ${ui}: .*address already in use`));
      assert.match(
        r.stderr,
        new RegExp(`hint: port ${ui} \\(the Web UI's\\) is taken: pass --ui-port PORT, or --headless`),
      );
      assert.doesNotMatch(
        r.stdout + r.stderr,
        /once more/,
        'a port checked before starting stays taken: no second try',
      );
      assert.ok(noStackTrace(r.stderr), r.stderr);
    } finally {
      squatter.close();
    }
  });

  it('keeps the REPL alive after an unknown command, a usage error and a server-down error', async () => {
    const r = await tshell(['-i'], {
      env: env.env,
      input: 'stalld\nwait --status NOPE\ndescribe --id x\nhelp\nexit\n',
    });
    assert.equal(r.exitCode, 0);
    assert.match(r.stderr, /unknown command: stalld/);
    assert.match(r.stderr, /--status must be one of/);
    assert.match(r.stderr, /cannot reach Temporal/);
    assert.match(r.stdout, /Workflows\n/, 'help still ran after the errors');
    assert.ok(noStackTrace(r.stdout + r.stderr));
  });

  it('prints an error object on stdout with --json', async () => {
    const r = await tshell(['describe', '--id', 'x', '--json'], { env: env.env });
    const data = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(data.error.code, 'TSHELL-CONN');
  });
});
