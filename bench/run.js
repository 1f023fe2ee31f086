#!/usr/bin/env node
// tshell benchmarks (not part of CI): start-up against the `node -e ''` floor, server-down
// latency, how fast `wait` notices a close compared with a 1 s describe polling loop, and `dev`
// (bench/dev.js) against plain `ensure-worker` restarts.
// Prints one table and exits non-zero when a target is missed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BIN,
  HELLO,
  ROOT,
  RUNS,
  freePort,
  median,
  report,
  row,
  timeLines,
  timeRun,
  timeToPrompt,
  removeStateDir,
  EXTRA_CA_CERTS,
} from './lib.js';

const stateDir = mkdtempSync(join(tmpdir(), 'tshell-bench-'));
const env = { TSHELL_STATE_DIR: stateDir, NO_COLOR: '1', UV_PYTHON_DOWNLOADS: 'never' };

// Interleave the floor and the measured command so machine noise hits both alike.
const floor = [];
const bareFloor = [];
const listWorkers = [];
const prompt = [];
for (let i = 0; i < RUNS; i++) {
  floor.push(timeRun(['-e', '']).ms);
  if (EXTRA_CA_CERTS) bareFloor.push(timeRun(['-e', ''], EXTRA_CA_CERTS).ms);
  listWorkers.push(timeRun([BIN, 'list-workers'], env).ms);
  prompt.push(await timeToPrompt(env));
}
const floorMs = median(floor);
if (EXTRA_CA_CERTS)
  row(
    "node -e '' with NODE_EXTRA_CA_CERTS unset (set here)",
    median(bareFloor),
    "node -e ''",
    floorMs,
    'context',
    undefined,
  );
row(
  'one-shot `list-workers`, no server',
  median(listWorkers),
  "node -e ''",
  floorMs,
  '≤ 1.2×',
  median(listWorkers) <= 1.2 * floorMs,
);
row(
  'cold start to first prompt',
  median(prompt),
  "node -e ''",
  floorMs,
  '≤ 1.3× and ≤ 250 ms',
  median(prompt) <= 1.3 * floorMs && median(prompt) <= 250,
);
// BENCH_ONLY=startup: just the start-up rows (no server, about 10 s), for quick checks.
if (process.env.BENCH_ONLY === 'startup') {
  removeStateDir(stateDir, env);
  report();
}

await (await import('./discovery.js')).benchDiscovery({ stateDir, env });

const deadPort = await freePort();
const down = [];
for (let i = 0; i < 5; i++) {
  const r = timeRun([BIN, 'describe', '--id', 'x', '--address', `127.0.0.1:${deadPort}`], env);
  if (r.code !== 2) throw new Error(`expected exit 2 with the server down: ${r.out}`);
  down.push(r.ms);
}
row('server down → one-line error', median(down), '', undefined, '≤ 2000 ms', median(down) <= 2000);

// wait close detection against a real dev server and worker.
const port = await freePort();
const address = `127.0.0.1:${port}`;
const srvEnv = { ...env, TEMPORAL_ADDRESS: address };
try {
  for (const step of [['ensure-server', '--headless'], ['ensure-worker']]) {
    const r = timeRun([BIN, ...step], srvEnv);
    if (r.code !== 0) throw new Error(`${step.join(' ')} failed: ${r.out}`);
  }
  const { Connection, Client } = await import('@temporalio/client');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  // BENCH_ONLY=dev: the `tshell dev` rows alone (a few minutes, most of it the idle CPU minute).
  if (!process.env.BENCH_ONLY || process.env.BENCH_ONLY === 'dev') {
    const { benchDev } = await import('./dev.js');
    await benchDev({
      row,
      root: ROOT,
      bin: BIN,
      stateDir,
      env: { ...process.env, ...srvEnv },
      client,
      idleSeconds: Number(process.env.BENCH_DEV_IDLE ?? 60),
    });
  }
  afterDev: {
    if (process.env.BENCH_ONLY === 'dev') break afterDev;
    const temporalBin = join(ROOT, '.tools', 'venv', 'bin', 'temporal');
    const waitLat = [];
    const pollLat = [];
    for (let i = 0; i < 5; i++) {
      const id = `bench-wait-${Date.now()}-${i}`;
      const handle = await client.workflow.start('ApprovalWorkflow', {
        taskQueue: 'hello-tasks',
        workflowId: id,
        args: ['bench'],
      });
      let waitDoneAt;
      const waiter = spawn(BIN, ['wait', '--id', id, '--status', 'COMPLETED', '--json'], {
        cwd: HELLO,
        env: { ...process.env, ...srvEnv },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      waiter.stdout.once('data', () => (waitDoneAt = Date.now()));
      const waiterExit = new Promise((r) => waiter.on('exit', r));
      // Baseline: the seed's way, one `temporal workflow describe` process per second.
      let pollDoneAt;
      const poll = (async () => {
        for (;;) {
          const r = spawnSync(temporalBin, ['workflow', 'describe', '-w', id, '--address', address, '-o', 'json'], {
            encoding: 'utf8',
          });
          if (r.status === 0 && !/"status":\s*"WORKFLOW_EXECUTION_STATUS_RUNNING"/.test(r.stdout))
            return (pollDoneAt = Date.now());
          await new Promise((res) => setTimeout(res, 1000));
        }
      })();
      await new Promise((r) => setTimeout(r, 1500 + Math.random() * 1000));
      await handle.signal('approve', 'bench');
      await handle.result();
      await waiterExit;
      await poll;
      const history = await handle.fetchHistory();
      const close = history.events.at(-1);
      const closeMs = Number(close.eventTime.seconds) * 1000 + Math.floor(close.eventTime.nanos / 1e6);
      waitLat.push(waitDoneAt - closeMs);
      pollLat.push(pollDoneAt - closeMs);
    }
    row(
      '`wait` notices a close',
      median(waitLat),
      '1 s describe polling',
      median(pollLat),
      '≤ 20 ms',
      median(waitLat) <= 20,
    );

    // One-shot commands against the Temporal CLI's equivalents on the same server, interleaved so noise
    // hits both alike. The first warm one-shot starts the helper; the rows measure it warm.
    const greeted = await client.workflow.start('GreetingWorkflow', {
      taskQueue: 'hello-tasks',
      workflowId: `greeting-bench-${Date.now()}`,
      args: ['bench'],
    });
    await greeted.result();
    const wid = greeted.workflowId;
    const cliAt = ['--address', address];
    const pairs = [
      ['describe', ['describe', '--id', wid, '--json'], ['workflow', 'describe', '-w', wid, '-o', 'json', ...cliAt]],
      ['result', ['result', '--id', wid, '--json'], ['workflow', 'result', '-w', wid, '-o', 'json', ...cliAt]],
      ['recent', ['recent', '--json'], ['workflow', 'list', '-o', 'json', '--limit', '20', ...cliAt]],
      ['list-workers', ['list-workers', '--json'], ['worker', 'list', '-o', 'json', ...cliAt]],
      [
        'diagnose (healthy)',
        ['diagnose', '--id', wid, '--json'],
        ['workflow', 'show', '-w', wid, '-o', 'json', ...cliAt],
      ],
    ];
    timeRun([BIN, 'describe', '--id', wid, '--json'], srvEnv);
    await new Promise((r) => setTimeout(r, 2000));
    const cliMedian = {};
    for (const [name, ours, theirs] of pairs) {
      const t = [];
      const c = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        const r = spawnSync(temporalBin, theirs, { stdio: ['ignore', 'pipe', 'pipe'] });
        if (r.status !== 0) throw new Error(`temporal ${theirs.join(' ')}: ${r.stderr}`);
        c.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const mine = timeRun([BIN, ...ours], srvEnv);
        if (mine.code !== 0) throw new Error(`tshell ${ours.join(' ')}: ${mine.out}`);
        t.push(mine.ms);
      }
      row(
        `one-shot \`${name}\``,
        median(t),
        `temporal ${theirs.slice(0, 2).join(' ')}`,
        median(c),
        '≤ 2×',
        median(t) <= 2 * median(c),
      );
      cliMedian[name] = median(c);
      if (EXTRA_CA_CERTS && name === 'recent') {
        const bare = Array.from({ length: RUNS }, () => timeRun([BIN, ...ours], { ...srvEnv, ...EXTRA_CA_CERTS }).ms);
        row(
          `one-shot \`${name}\`, NODE_EXTRA_CA_CERTS unset`,
          median(bare),
          `temporal ${theirs.slice(0, 2).join(' ')}`,
          median(c),
          'context',
          undefined,
        );
      }
    }
    // The same describe from a long-running tshell: the REPL (-i over a pipe, answered when the
    // prompt is back) and a script reading JSON Lines (answered when its JSON line is).
    {
      const repl = await timeLines(
        ['-i'],
        `describe --id ${wid}`,
        (o) => /\n[^\n]*› ?$/.test(o) && o.includes(wid),
        srvEnv,
      );
      row(
        'REPL `describe` (answer to next prompt)',
        repl,
        'temporal workflow describe',
        cliMedian.describe,
        '≤ 0.5×',
        repl <= 0.5 * cliMedian.describe,
      );
      const jsonl = await timeLines(
        ['--json'],
        `describe --id ${wid}`,
        (o) => o.endsWith('}\n') && o.includes(wid),
        srvEnv,
      );
      row(
        'JSON Lines `describe` (a script on stdin)',
        jsonl,
        'temporal workflow describe',
        cliMedian.describe,
        '≤ 0.5×',
        jsonl <= 0.5 * cliMedian.describe,
      );
    }
    // An agent's call: the official MCP SDK's client against `tshell mcp`, `describe` 20 times.
    {
      const [{ Client: McpClient }, { StdioClientTransport }] = await Promise.all([
        import('@modelcontextprotocol/sdk/client/index.js'),
        import('@modelcontextprotocol/sdk/client/stdio.js'),
      ]);
      const mcp = new McpClient({ name: 'bench', version: '1' });
      await mcp.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: [BIN, 'mcp'],
          cwd: HELLO,
          env: { ...process.env, ...srvEnv },
          stderr: 'ignore',
        }),
      );
      const tools = await mcp.listTools();
      const listed = JSON.stringify(tools).length;
      const calls = [];
      for (let i = 0; i < 21; i++) {
        const t0 = process.hrtime.bigint();
        const r = await mcp.callTool({ name: 'describe', arguments: { id: wid } });
        if (r.isError) throw new Error(`mcp describe: ${JSON.stringify(r.content)}`);
        if (i > 0) calls.push(Number(process.hrtime.bigint() - t0) / 1e6); // the first one connects
      }
      await mcp.close();
      row(
        'MCP `describe` tool call (real client, median of 20)',
        median(calls),
        'temporal workflow describe',
        cliMedian.describe,
        '≤ 0.5×',
        median(calls) <= 0.5 * cliMedian.describe,
      );
      // What an agent pays in context for the list: the same budget as the MCP test, per tool.
      row(
        `MCP tools/list size (${tools.tools.length} tools)`,
        listed / 1024,
        '',
        undefined,
        `≤ ${((tools.tools.length * 850) / 1024).toFixed(1)} KB (850 B a tool)`,
        listed <= tools.tools.length * 850,
        'KB',
      );
    }
    // Readiness: from the worker's first poll (Worker.run(), from its own report) to ensure-worker's answer,
    // on fixtures of several shapes; none may wait for a heartbeat (the SDK sends one a minute, or none).
    for (const dir of [
      HELLO,
      ...['runtime-queue', 'dotenv-queue', 'old-sdk', 'two-workers'].map((f) => join(ROOT, 'test', 'fixtures', f)),
    ]) {
      const r = spawnSync(BIN, ['ensure-worker', '--json'], {
        cwd: dir,
        env: { ...process.env, ...srvEnv },
        encoding: 'utf8',
        timeout: 300_000,
      });
      const answeredAt = Date.now();
      if (r.status !== 0) throw new Error(`ensure-worker in ${dir}: ${r.stderr}`);
      const data = JSON.parse(r.stdout);
      if (!data.report?.runningAt) throw new Error(`no worker report in ${dir}: ${r.stdout}`);
      const ms = answeredAt - Date.parse(data.report.runningAt);
      row(
        `worker first poll → ready (${dir.split('/').pop()}, temporalio ${data.report.sdk})`,
        ms,
        '',
        undefined,
        '≤ 1000 ms',
        ms <= 1000,
      );
      if (dir !== HELLO)
        spawnSync(BIN, ['kill-worker'], { cwd: dir, env: { ...process.env, ...srvEnv }, stdio: 'ignore' });
    }
    // BENCH_ONLY=calls: the start-up rows, server down, wait, the one-shots, MCP and readiness (a few minutes).
    afterCalls: {
      if (process.env.BENCH_ONLY === 'calls') break afterCalls;
      await (await import('./scale.js')).benchScale({ client, srvEnv, stateDir, address, floorMs, temporalBin });
      await connection.close();
    }
  }
} finally {
  spawnSync(process.execPath, [BIN, 'kill-all-workers', '--include-server', '--yes'], {
    env: { ...process.env, ...srvEnv },
    stdio: 'ignore',
  });
  removeStateDir(stateDir, srvEnv);
}

report();
