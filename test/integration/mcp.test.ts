// `tshell mcp` driven by the MCP SDK's own client over stdio, against a real dev server and the
// example project's real worker: the same commands and safety rules as a person, a typed contract
// (values checked against the advertised schema, never turned into flags), a session per connection,
// consent bound to the plan that was shown, progress, cancellation and JSON-RPC errors per the spec.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { readProc } from '../../src/processes/proc.js';
import { BIN, HELLO, ROOT, cleanup, eventually, makeEnv, tshell, type Env, HELLO_KEY } from '../helpers/tshell.js';

import { caller, connect, MCP_ARGS } from '../helpers/mcp.js';

describe('tshell mcp', () => {
  let env: Env;
  let client: Client;
  let other: Client;
  const call = caller(() => client);
  const callB = caller(() => other);
  const extra: ChildProcess[] = [];

  before(async () => {
    env = await makeEnv();
    client = await connect(env);
    other = await connect(env);
  });
  after(async () => {
    await client?.close();
    await other?.close();
    // cleanup() kills their process groups too: uv's python child goes with it.
    await cleanup(env, extra.map((p) => p.pid ?? 0).filter(Boolean));
  });

  it('lists every registry command as a tool: schema from its flags, output schema from its fields, annotations from its effect', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['ensure-server', 'ensure-worker', 'start', 'wait', 'diagnose', 'terminate', 'recent'])
      assert.ok(names.includes(n), n);
    for (const n of ['wizard', 'mcp', 'setup', 'tour']) assert.ok(!names.includes(n), n);
    const wait = tools.find((t) => t.name === 'wait');
    const props = (wait?.inputSchema.properties ?? {}) as Record<
      string,
      { type?: string; enum?: string[]; minimum?: number }
    >;
    assert.equal(props.timeout?.type, 'number');
    assert.equal(props.timeout?.minimum, 0);
    assert.ok(props.status?.enum?.includes('COMPLETED'));
    for (const s of ['address', 'namespace', 'task-queue', 'project-dir']) assert.ok(props[s], `per-call setting ${s}`);
    assert.equal(props.confirm, undefined, 'a read takes no confirm');
    const describeTool = tools.find((t) => t.name === 'describe');
    assert.equal(describeTool?.annotations?.readOnlyHint, true);
    assert.equal(describeTool?.annotations?.idempotentHint, true);
    assert.ok(describeTool?.outputSchema?.properties && 'status' in describeTool.outputSchema.properties);
    const terminate = tools.find((t) => t.name === 'terminate');
    assert.equal(terminate?.annotations?.destructiveHint, true);
    assert.notEqual(terminate?.annotations?.readOnlyHint, true);
    assert.equal(tools.find((t) => t.name === 'start')?.annotations?.destructiveHint, false);
    assert.equal(
      ((terminate?.inputSchema.properties ?? {}) as Record<string, { type?: string }>).confirm?.type,
      'string',
    );
    assert.ok(terminate?.title);
    const size = JSON.stringify({ tools }).length;
    // What an agent pays in context for the whole tool list: under 850 bytes a tool on average.
    assert.ok(size < tools.length * 850, `listing is ${size} bytes for ${tools.length} tools`);
    assert.match(client.getInstructions() ?? '', /confirm set to that token/);
  });

  it('runs the loop: ensure-server, ensure-worker, start, wait, diagnose; terminate returns its plan, the token carries it out', async () => {
    const server = await call('ensure-server', { headless: true });
    assert.equal(server.isError, false, JSON.stringify(server.body));
    assert.equal(server.body.address, env.address);
    const worker = await call('ensure-worker');
    assert.equal(worker.isError, false, JSON.stringify(worker.body));
    const started = await call('start');
    assert.equal(started.isError, false, JSON.stringify(started.body));
    const id = String(started.body.workflowId);
    // The connection's session carries the current workflow across calls, as in the REPL.
    const waited = await call('wait', { status: 'COMPLETED', timeout: 60 });
    assert.equal(waited.body.workflowId, id);
    assert.equal(waited.body.reached, true, JSON.stringify(waited.body));
    const diagnosed = await call('diagnose');
    assert.equal((diagnosed.body.findings as { class: string }[])[0]?.class, 'healthy');

    const waiting = await call('start', { type: 'ApprovalWorkflow', input: ['Ada'] });
    const waitingId = String(waiting.body.workflowId);
    const refused = await call('terminate', { id: waitingId });
    assert.equal(refused.body.needsConfirmation, true, JSON.stringify(refused.body));
    assert.equal(refused.body.plan?.class, 'workflows');
    assert.deepEqual(
      refused.body.plan?.targets.map((t) => t.workflowId),
      [waitingId],
    );
    assert.equal(refused.body.plan?.targets[0]?.runId, waiting.body.runId);
    assert.equal((await call('describe', { id: waitingId })).body.status, 'RUNNING');
    const wrongType = await call('terminate', { id: waitingId, confirm: true });
    assert.equal(wrongType.isError, true);
    assert.match(String(wrongType.body.error?.message), /"confirm" takes the token of a plan/);
    const done = await call('terminate', { id: waitingId, confirm: refused.body.token });
    assert.equal(done.body.after, 'TERMINATED', JSON.stringify(done.body));
  });

  it('checks every argument against the schema: one error naming the key; values never become flags', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'start',
        { type: 'GreetingWorkflow', input: ['x'], 'task-queue': 'q', bogus: 1 },
        /start: unknown argument "bogus"/,
      ],
      ['describe', { id: 123 }, /describe: "id" must be a string, not number 123/],
      ['describe', { id: ['a', 'b'] }, /describe: "id" must be a string, not an array/],
      ['recent', { minutes: -5 }, /recent: "minutes" must be at least 0, not -5/],
      ['recent', { minutes: '5' }, /recent: "minutes" must be a number, not string "5"/],
      ['recent', { limit: 2.5 }, /recent: "limit" needs a whole number, not 2\.5/],
      ['wait', { status: 'DONE' }, /wait: "status" must be one of RUNNING, COMPLETED/],
      ['server', { action: 'explode' }, /server: "action" must be one of status, stop/],
      ['start', { input: 'not-an-array', type: 'GreetingWorkflow' }, /start: "input" must be an array/],
    ];
    for (const [tool, args, expected] of cases) {
      const r = await call(tool, args);
      assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}`);
      assert.match(String(r.body.error?.message), expected);
      assert.equal(r.body.error?.code, 'TSHELL-USAGE');
    }
    // A flag-looking value is a value: the workflow named "--help" does not exist, no help is printed.
    const help = await call('describe', { id: '--help' });
    assert.match(String(help.body.error?.message), /--help.*not found|not found.*--help/);
    // …and "--address=…" does not redirect the connection.
    const queue = await call('task-queue', { name: '--address=127.0.0.1:1' });
    assert.equal(queue.body.error, undefined, JSON.stringify(queue.body));
    assert.equal(queue.body.taskQueue, '--address=127.0.0.1:1');
    const used = await call('use', { id: '--address=127.0.0.1:1' });
    assert.equal(used.body.error?.code, 'TSHELL-NOT-FOUND', JSON.stringify(used.body));
    // Settings per call are typed and honoured: this one describe goes to another address.
    const elsewhere = await call('describe', { id: 'x', address: '127.0.0.1:1' });
    assert.equal(elsewhere.body.error?.code, 'TSHELL-CONN');
    assert.match(String(elsewhere.body.error?.message), /127\.0\.0\.1:1/);
    // The task queue given with a start is the one it starts on.
    const onOther = await call('start', { type: 'GreetingWorkflow', input: ['q'], 'task-queue': 'other-q' });
    assert.equal(
      (await call('describe', { id: onOther.body.workflowId })).body.taskQueue,
      'other-q',
      JSON.stringify(onOther.body),
    );
    await call('terminate', {
      id: onOther.body.workflowId,
      confirm: (await call('terminate', { id: onOther.body.workflowId })).body.token,
    });
  });

  it('gives each connection its own current workflow, and refuses a token once the targets changed', async () => {
    const a = String((await call('start', { type: 'ApprovalWorkflow', input: ['a'] })).body.workflowId);
    const b = String((await callB('start', { type: 'ApprovalWorkflow', input: ['b'] })).body.workflowId);
    assert.equal((await call('describe')).body.workflowId, a, "B's start does not change A's {}");
    const plan = await call('terminate');
    assert.deepEqual(
      plan.body.plan?.targets.map((t) => t.workflowId),
      [a],
    );
    assert.equal((await callB('use', { id: b })).isError, false);
    const done = await call('terminate', { confirm: plan.body.token });
    assert.equal(done.body.workflowId, a);
    assert.equal(done.body.after, 'TERMINATED');
    assert.equal((await callB('describe', { id: b })).body.status, 'RUNNING', 'B is untouched');

    // A previews c, then makes b current: the token of c's plan does not terminate b.
    const c = String((await call('start', { type: 'ApprovalWorkflow', input: ['c'] })).body.workflowId);
    const ofC = await call('terminate');
    assert.equal(ofC.body.plan?.targets[0]?.workflowId, c);
    await call('use', { id: b });
    const raced = await call('terminate', { confirm: ofC.body.token });
    assert.equal(raced.body.needsConfirmation, true, JSON.stringify(raced.body));
    assert.match(String(raced.body.hint), /targets changed/);
    assert.equal(raced.body.plan?.targets[0]?.workflowId, b);
    assert.equal((await call('describe', { id: b })).body.status, 'RUNNING');
    assert.equal((await call('describe', { id: c })).body.status, 'RUNNING');
    for (const id of [b, c]) await call('terminate', { id, confirm: (await call('terminate', { id })).body.token });
  });

  it('asks before running code in a folder the session did not start in, and before stopping the server', async () => {
    const elsewhere = join(env.stateDir, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const marker = join(elsewhere, 'ran.marker');
    writeFileSync(join(elsewhere, 'requirements.txt'), 'temporalio\n');
    writeFileSync(
      join(elsewhere, 'worker.py'),
      [
        'import asyncio, pathlib',
        "pathlib.Path(__file__).with_name('ran.marker').write_text('ran')",
        'from temporalio.client import Client',
        'from temporalio.worker import Worker',
        'async def main():',
        "    client = await Client.connect('localhost:7233')",
        "    await Worker(client, task_queue='elsewhere', workflows=[]).run()",
        "if __name__ == '__main__':",
        '    asyncio.run(main())',
        '',
      ].join('\n'),
    );
    assert.equal((await call('project', { dir: elsewhere })).isError, false);
    const asked = await call('ensure-worker', { timeout: 10 });
    assert.equal(asked.body.needsConfirmation, true, JSON.stringify(asked.body));
    assert.equal(asked.body.plan?.class, 'foreign-code');
    assert.equal(asked.body.plan?.targets[0]?.project, elsewhere);
    assert.equal(existsSync(marker), false, 'nothing ran before consent');
    await call('ensure-worker', { timeout: 10, confirm: asked.body.token });
    assert.equal(existsSync(marker), true, 'with the token it ran');
    await call('kill-worker');
    await call('project', { dir: HELLO });

    const stop = await call('server', { action: 'stop' });
    assert.equal(stop.body.needsConfirmation, true, JSON.stringify(stop.body));
    assert.equal(stop.body.plan?.class, 'server');
    assert.equal(stop.body.plan?.targets[0]?.address, env.address);
    assert.equal((await call('server', { action: 'status' })).body.reachable, true, 'the server still answers');
  });

  it('asks before stopping a worker tshell did not start', async () => {
    const config = JSON.parse((await tshell(['config', '--json'], { env: env.env, cwd: HELLO })).stdout) as {
      settings: { name: string; value: string }[];
    };
    const setting = (name: string) => config.settings.find((x) => x.name === name)?.value ?? '';
    const [program = 'uv', ...rest] = setting('workerCmd').split(' ');
    await call('kill-worker');
    const tools = join(ROOT, '.tools', 'venv', 'bin');
    const byHand = spawn(program, rest, {
      cwd: setting('workerDir'),
      env: { ...process.env, ...env.env, PATH: `${tools}:${process.env.PATH}` },
      stdio: 'ignore',
      detached: true,
    });
    extra.push(byHand);
    await eventually(
      async () => {
        const listed = await call('list-workers');
        return (listed.body.workers as { startedByTshell: boolean; alive: boolean }[]).some(
          (w) => !w.startedByTshell && w.alive,
        )
          ? true
          : undefined;
      },
      60_000,
      'the hand-started worker to be seen',
    );
    const asked = await call('ensure-worker');
    assert.equal(asked.body.needsConfirmation, true, JSON.stringify(asked.body));
    assert.equal(asked.body.plan?.class, 'stop-foreign');
    assert.ok(asked.body.plan?.targets.length);
    assert.equal(byHand.exitCode, null, 'the hand-started worker still runs');
    const replaced = await call('ensure-worker', { confirm: asked.body.token });
    assert.equal(replaced.isError, false, JSON.stringify(replaced.body));
    assert.ok((replaced.body.stopped as { startedByTshell: boolean }[]).some((w) => !w.startedByTshell));
  });

  it('cancellation stops ensure-worker before it replaces the worker; progress reaches a client that asked', async () => {
    const before = (await call('list-workers')).body.workers as {
      pid: number;
      startedByTshell: boolean;
      alive: boolean;
    }[];
    const current = before.find((w) => w.startedByTshell && w.alive);
    assert.ok(current, JSON.stringify(before));
    // Another supervisor holds the project's lock: ensure-worker waits, says so, and is cancelled then.
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    extra.push(holder);
    const locks = join(env.stateDir, 'locks');
    mkdirSync(locks, { recursive: true });
    writeFileSync(
      join(locks, `worker-${HELLO_KEY}.lock`),
      JSON.stringify({ pid: holder.pid, startTicks: readProc(holder.pid ?? 0)?.startTicks, purpose: 'test' }),
    );
    const ac = new AbortController();
    const progress: string[] = [];
    const logs: string[] = [];
    client.setNotificationHandler(
      (await import('@modelcontextprotocol/sdk/types.js')).LoggingMessageNotificationSchema,
      (n) => void logs.push(String(n.params.data)),
    );
    const pending = client.callTool({ name: 'ensure-worker', arguments: {} }, undefined, {
      signal: ac.signal,
      timeout: 180_000,
      onprogress: (p) => {
        progress.push(String(p.message));
        if (/waiting for tshell pid/.test(String(p.message))) ac.abort();
      },
    });
    await assert.rejects(pending);
    assert.ok(
      progress.some((m) => m.includes(`waiting for tshell pid ${holder.pid}`)),
      progress.join('\n'),
    );
    await eventually(
      async () => (logs.some((l) => /ensure-worker cancelled/.test(l)) ? true : undefined),
      30_000,
      'the cancellation notice',
    );
    holder.kill('SIGKILL');
    const afterList = (await call('list-workers')).body.workers as { pid: number; alive: boolean }[];
    assert.ok(
      afterList.some((w) => w.pid === current.pid && w.alive),
      'the worker was not replaced',
    );
  });

  it('a long wait tells a client that asked for progress that it is still working', async () => {
    const waiting = String((await call('start', { type: 'ApprovalWorkflow', input: ['slow'] })).body.workflowId);
    // Its own progress line comes first; the beat follows while it waits. Then the wait is cancelled.
    const progress: string[] = [];
    const ac = new AbortController();
    const pending = client.callTool(
      { name: 'wait', arguments: { id: waiting, status: 'COMPLETED', timeout: 120 } },
      undefined,
      {
        signal: ac.signal,
        timeout: 180_000,
        onprogress: (p) => {
          progress.push(String(p.message));
          if (/^wait still running/.test(String(p.message))) ac.abort();
        },
      },
    );
    await assert.rejects(pending);
    assert.ok(
      progress.some((m) => /^wait still running \(\d+ s\)$/.test(m)),
      progress.join('\n'),
    );
    await call('terminate', { id: waiting, confirm: (await call('terminate', { id: waiting })).body.token });
  });

  it('history --follow returns the events it saw; a non-history file is refused without its content', async () => {
    const started = await call('start', { type: 'GreetingWorkflow', input: ['Bo'] });
    const id = String(started.body.workflowId);
    await call('wait', { id, status: 'COMPLETED', timeout: 60 });
    const followed = await call('history', { id, follow: true, for: 1 });
    assert.ok(
      ((followed.body.events ?? []) as { type: string }[]).some((e) => e.type === 'WorkflowExecutionCompleted'),
      JSON.stringify(followed.body).slice(0, 300),
    );
    const res = await client.readResource({ uri: `tshell://history/${id}` });
    const history = JSON.parse(String((res.contents[0] as { text: string }).text)) as { events: { type: string }[] };
    assert.ok(history.events.some((e) => e.type === 'WorkflowExecutionCompleted'));
    const secret = join(env.stateDir, 'shadow');
    writeFileSync(secret, 'root:$6$s3cr3t:19000:0:99999:7:::\n');
    const refused = await call('replay', { 'history-file': [secret] });
    assert.equal(refused.isError, true);
    assert.match(String(refused.body.error?.message), /is not a workflow history/);
    assert.doesNotMatch(JSON.stringify(refused.body), /s3cr3t|root:/);
    const bad = await call('result', { id: 'no-such-workflow-xyz' });
    assert.equal(bad.isError, true);
    assert.match(String(bad.body.error?.message), /not found/);
    assert.ok(bad.body.error?.hint);
  });

  it('answers protocol errors with the JSON-RPC codes: unknown tool, no params, malformed JSON, a batch', async () => {
    await assert.rejects(
      client.callTool({ name: 'no-such-tool', arguments: {} }),
      (err: { code?: number }) => err.code === -32602,
    );
    const child = spawn(process.execPath, [BIN, ...MCP_ARGS], {
      cwd: HELLO,
      env: { ...process.env, ...env.env },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    extra.push(child);
    let out = '';
    child.stdout?.on('data', (d) => (out += String(d)));
    const replies = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { id: unknown; error?: { code: number } });
    child.stdin?.write(
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}\n',
    );
    child.stdin?.write('{not json\n');
    child.stdin?.write('[{"jsonrpc":"2.0","id":2,"method":"tools/list"}]\n');
    child.stdin?.write('{"jsonrpc":"2.0","id":3,"method":"tools/call"}\n');
    const got = await eventually(async () => (replies().length >= 4 ? replies() : undefined), 30_000, 'four replies');
    assert.ok(
      got.some((r) => r.id === 1 && !r.error),
      'initialize answered',
    );
    // Errors are answered as each line is read; the initialize reply may come after them.
    assert.deepEqual(
      got.filter((r) => r.error).map((r) => [r.id, r.error?.code]),
      [
        [null, -32700],
        [null, -32600],
        [3, -32602],
      ],
    );
    child.stdin?.end();
  });
});
