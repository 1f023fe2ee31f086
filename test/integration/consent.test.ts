// The consent table walked for every way in (REPL in a real terminal, a script, JSON Lines, one-shots,
// MCP) against a real dev server and the example's real worker; sessions of their own per terminal;
// JSON Lines answering every line; `temporal shell` taking the Temporal CLI's root flags.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execa } from 'execa';
import {
  BIN,
  HELLO,
  ROOT,
  cleanup,
  makeEnv,
  startType,
  tshell,
  tshellInPty,
  type Env,
  type RunResult,
  serverAndWorker,
} from '../helpers/tshell.js';

type Plan = { command: string; class: string; action: string; targets: Record<string, unknown>[] };
type Envelope = {
  line: number;
  id?: unknown;
  command: string;
  exitCode: number;
  data?: Record<string, unknown> | null;
  error?: { code: string; message: string; plan?: Plan; token?: string };
  needsConfirmation?: boolean;
  skipped?: string;
};

describe('consent, one table for every way in', () => {
  let env: Env;
  const run = (args: string[], extra: Record<string, string> = {}, input?: string): Promise<RunResult> =>
    tshell(args, { env: { ...env.env, ...extra }, cwd: HELLO, ...(input !== undefined ? { input } : {}) });
  const approval = () => startType(run, 'ApprovalWorkflow', 'hello-tasks');
  const status = async (id: string) =>
    (JSON.parse((await run(['describe', '--id', id, '--json'])).stdout) as { status: string }).status;
  const jsonLines = (r: RunResult) =>
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Envelope);

  before(async () => {
    env = await makeEnv();
    await serverAndWorker(run);
  });
  after(async () => cleanup(env));

  it('acts on workflows: the REPL asks with the plan; scripts and one-shots need --yes or the token; MCP needs the token', async () => {
    // REPL: the question names the exact workflow and run; yes carries it out.
    const inRepl = await approval();
    const repl = await tshellInPty(
      [],
      [
        { expect: '› $', send: `terminate --id ${inRepl}\r` },
        { expect: `terminate ${inRepl} \\(ApprovalWorkflow, RUNNING, .*run [0-9a-f-]{36}\\).*\\(y/N\\)`, send: 'y\r' },
        { expect: 'TERMINATED.*› $', send: 'exit\r' },
      ],
      { env: env.env },
    );
    assert.ok(repl.ok, repl.transcript.slice(-1500));
    assert.equal(await status(inRepl), 'TERMINATED');

    // Script: refused without --yes (the plan in the message), carried out with it.
    const inScript = await approval();
    const refused = await run([], {}, `terminate --id ${inScript}\n`);
    assert.equal(refused.exitCode, 2);
    assert.match(refused.stderr, new RegExp(`terminate needs confirmation: terminate ${inScript} \\(ApprovalWorkflow`));
    assert.equal(await status(inScript), 'RUNNING');
    assert.equal((await run(['--yes'], {}, `terminate --id ${inScript}\n`)).exitCode, 0);
    assert.equal(await status(inScript), 'TERMINATED');

    // JSON Lines: the plan and token as data; a typed call with the token carries it out.
    const inLines = await approval();
    const preview = jsonLines(
      await run(['--json'], {}, `{"command":"terminate","args":{"id":"${inLines}"},"id":"p"}\n`),
    )[0];
    assert.equal(preview?.needsConfirmation, true, JSON.stringify(preview));
    assert.equal(preview?.id, 'p');
    assert.equal(preview?.error?.plan?.targets[0]?.workflowId, inLines);
    const token = String(preview?.error?.token);
    const done = jsonLines(
      await run(['--json'], {}, `${JSON.stringify({ command: 'terminate', args: { id: inLines, confirm: token } })}\n`),
    )[0];
    assert.equal(done?.data?.after, 'TERMINATED', JSON.stringify(done));

    // One-shot: --json previews with the token; --confirm TOKEN carries out that plan only.
    const oneShot = await approval();
    const shown = await run(['terminate', '--id', oneShot, '--json']);
    assert.equal(shown.exitCode, 2);
    const plan = (JSON.parse(shown.stdout) as { error: { plan: Plan; token: string; code: string } }).error;
    assert.equal(plan.code, 'TSHELL-NEEDS-CONFIRMATION');
    assert.equal(plan.plan.class, 'workflows');
    const other = await approval();
    const wrong = await run(['terminate', '--id', other, '--confirm', plan.token]);
    assert.equal(wrong.exitCode, 2);
    assert.match(wrong.stderr, /the targets changed since the preview/);
    assert.equal(await status(other), 'RUNNING');
    assert.equal((await run(['terminate', '--id', oneShot, '--confirm', plan.token])).exitCode, 0);
    assert.equal(await status(oneShot), 'TERMINATED');

    // MCP: the same plan, carried out by its token.
    const client = new Client({ name: 'consent-walk', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        cwd: HELLO,
        env: { ...(process.env as Record<string, string>), ...env.env },
        stderr: 'ignore',
      }),
    );
    try {
      const ask = (await client.callTool({ name: 'terminate', arguments: { id: other } })).structuredContent as {
        needsConfirmation: boolean;
        token: string;
        plan: Plan;
      };
      assert.equal(ask.needsConfirmation, true);
      assert.equal(ask.plan.targets[0]?.workflowId, other);
      const ok = (await client.callTool({ name: 'terminate', arguments: { id: other, confirm: ask.token } }))
        .structuredContent as { after: string };
      assert.equal(ok.after, 'TERMINATED');
    } finally {
      await client.close();
    }
    // No blanket consent over MCP.
    const blanket = await run(['mcp', '--yes']);
    assert.equal(blanket.exitCode, 2);
    assert.match(blanket.stderr, /mcp takes no --yes/);
  });

  it('the server and the workers: a piped kill-all-workers --include-server stops nothing without --yes', async () => {
    const before = (
      JSON.parse((await run(['list-workers', '--json'])).stdout) as { workers: { pid: number; alive: boolean }[] }
    ).workers.filter((w) => w.alive);
    assert.ok(before.length > 0);
    const piped = await run([], {}, 'kill-all-workers --include-server\n');
    assert.equal(piped.exitCode, 2);
    assert.match(piped.stderr, /kill-all-workers needs confirmation: stop the dev server at .* \(pid \d+\)/);
    const stop = await run(['server', 'stop']);
    assert.equal(stop.exitCode, 2);
    assert.match(stop.stderr, /server needs confirmation: stop the dev server/);
    assert.equal(
      (JSON.parse((await run(['server', 'status', '--json'])).stdout) as { reachable: boolean }).reachable,
      true,
      'the server still answers',
    );
    const still = (
      JSON.parse((await run(['list-workers', '--json'])).stdout) as { workers: { pid: number; alive: boolean }[] }
    ).workers;
    for (const w of before)
      assert.ok(
        still.some((s) => s.pid === w.pid && s.alive),
        `worker ${w.pid} still runs`,
      );
  });

  it('one-shots from two terminals keep their own current workflow; a new REPL starts from the last one', async () => {
    const inA = await tshell(['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--json'], {
      env: { ...env.env, TSHELL_SESSION: 'terminal-a' },
      cwd: HELLO,
    });
    const a = (JSON.parse(inA.stdout) as { workflowId: string }).workflowId;
    const inB = await tshell(['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--json'], {
      env: { ...env.env, TSHELL_SESSION: 'terminal-b' },
      cwd: HELLO,
    });
    const b = (JSON.parse(inB.stdout) as { workflowId: string }).workflowId;
    const described = await tshell(['describe', '--json'], {
      env: { ...env.env, TSHELL_SESSION: 'terminal-a' },
      cwd: HELLO,
    });
    assert.equal(
      (JSON.parse(described.stdout) as { workflowId: string }).workflowId,
      a,
      "terminal B's start does not move terminal A",
    );
    const script = await run(['--json'], {}, 'describe\n');
    assert.equal(jsonLines(script)[0]?.data?.workflowId, b, 'a new session starts from the last one');
    for (const id of [a, b]) await run(['terminate', '--id', id, '--yes']);
  });

  it('JSON Lines: one answer per input line, in order, blank and comment lines too; typed calls are checked', async () => {
    const input = [
      'config',
      '',
      '# a comment',
      '{"command":"recent","args":{"minutes":-1},"id":1}',
      '{"command":"describe","args":{"id":"--help"}}',
      '{not json',
      'nosuch',
      '{"command":"recent","args":{"minutes":5},"id":[2]}',
    ].join('\n');
    const r = await run(['--json', '--keep-going'], {}, `${input}\n`);
    const lines = jsonLines(r);
    assert.deepEqual(
      lines.map((l) => l.line),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.deepEqual(
      lines.slice(1, 3).map((l) => l.skipped),
      ['blank', 'comment'],
    );
    assert.match(String(lines[3]?.error?.message), /recent: "minutes" must be at least 0, not -1/);
    assert.equal(lines[3]?.id, 1);
    assert.equal(lines[4]?.error?.code, 'TSHELL-NOT-FOUND', JSON.stringify(lines[4]));
    assert.match(String(lines[5]?.error?.message), /not a JSON object/);
    assert.match(String(lines[6]?.error?.message), /unknown command: nosuch/);
    assert.deepEqual(lines[7]?.id, [2]);
    assert.equal(lines[7]?.exitCode, 0);
  });

  it('temporal shell takes the Temporal CLI root flags wherever the CLI puts them', async () => {
    const id = await approval();
    const ext = join(ROOT, 'bin', 'temporal-shell.cjs');
    const opts = { cwd: HELLO, env: { ...env.env, TSHELL_HELPER: '0' }, reject: false } as const;
    const json = await execa(
      ext,
      ['--color', 'never', '-o', 'json', '--log-level', 'warn', 'describe', '--id', id],
      opts,
    );
    assert.equal(json.exitCode, 0, String(json.stderr));
    assert.equal((JSON.parse(String(json.stdout)) as { workflowId: string }).workflowId, id);
    // Through the real Temporal CLI: it finds temporal-shell on the PATH and hands it its root flags.
    const cli = join(ROOT, '.tools', 'venv', 'bin', 'temporal');
    const viaCli = await execa(cli, ['-o', 'json', '--color', 'never', 'shell', 'describe', '--id', id], {
      ...opts,
      env: { ...opts.env, PATH: `${join(ROOT, 'bin')}:${process.env.PATH}` },
    });
    assert.equal(viaCli.exitCode, 0, String(viaCli.stderr));
    assert.equal((JSON.parse(String(viaCli.stdout)) as { workflowId: string }).workflowId, id);
    const config = join(env.stateDir, 'temporal.toml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, `[profile.elsewhere]\naddress = "127.0.0.1:1"\n`);
    const profiled = await execa(ext, ['--config-file', config, '--profile', 'elsewhere', 'config', '--json'], {
      ...opts,
      env: { ...opts.env, TEMPORAL_ADDRESS: '' },
    });
    const settings = (
      JSON.parse(String(profiled.stdout)) as { settings: { name: string; value: string; source: string }[] }
    ).settings;
    assert.deepEqual(
      settings.find((s) => s.name === 'address'),
      { name: 'address', flag: '--address', value: '127.0.0.1:1', source: 'profile elsewhere' },
    );
    const timed = await execa(
      ext,
      ['--command-timeout', '1s', 'wait', '--id', id, '--status', 'COMPLETED', '--timeout', '120'],
      opts,
    );
    assert.equal(timed.exitCode, 1);
    assert.match(String(timed.stderr), /interrupted/);
    await run(['terminate', '--id', id, '--yes']);
  });
});
