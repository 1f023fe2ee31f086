// The rows that need many workflows: live-id completion, diagnose of a 10,000-event history, and
// `stalled` among thousands running (first row and all rows), beside the Temporal CLI where it has one.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, HELLO, ROOT, RUNS, median, row, timeRun, timeStream, untilWorkerIdle } from './lib.js';

export async function benchScale({ client, srvEnv, stateDir, address, floorMs, temporalBin }) {
  const liveIds = [];
  for (let i = 0; i < RUNS; i++) liveIds.push(timeRun([BIN, '__complete', 'use', 'g'], srvEnv).ms);
  row('live-id completion (`__complete use g`)', median(liveIds), '', undefined, '≤ 150 ms', median(liveIds) <= 150);

  // diagnose a workflow with a 10,000-event history (signals nothing handles: each adds events).
  const big = await client.workflow.start('ApprovalWorkflow', {
    taskQueue: 'hello-tasks',
    workflowId: `bench-big-${Date.now()}`,
    args: ['big'],
  });
  for (let i = 0; i < 5000; i += 100)
    await Promise.all(Array.from({ length: 100 }, (_, k) => big.signal('ping', i + k)));
  let events = 0;
  for (let i = 0; i < 60 && events < 10_000; i++) {
    events = (await big.describe()).historyLength;
    if (events < 10_000) await Promise.all(Array.from({ length: 100 }, (_, k) => big.signal('ping', k)));
  }
  const dRuns = [];
  let rssKb = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', BIN, 'diagnose', '--id', big.workflowId, '--json'], {
      cwd: HELLO,
      env: { ...process.env, ...srvEnv },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    dRuns.push(Date.now() - t0);
    rssKb = Math.max(rssKb, Number(r.stderr.trim().split('\n').at(-1)));
  }
  // With the helper warm the work happens in it: its peak RSS counts too.
  try {
    const helperPid = JSON.parse(readFileSync(join(stateDir, 'helper', 'helper.pid'), 'utf8')).pid;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${helperPid}/status`, 'utf8'));
    if (hwm) rssKb = Math.max(rssKb, Number(hwm[1]));
  } catch {
    // no helper: the client's own RSS is the number
  }
  row(
    `\`diagnose\` at ${events} events (peak RSS ${Math.round(rssKb / 1024)} MB, target ≤ 200 MB)`,
    median(dRuns),
    '',
    undefined,
    '≤ 1000 ms',
    median(dRuns) <= 1000 && rssKb / 1024 <= 200,
  );
  await big.terminate('bench over');

  // Completion latency for a 2-letter prefix (`tshell __complete st`, what the shell scripts run).
  const compl = [];
  for (let i = 0; i < 9; i++) compl.push(timeRun([BIN, '__complete', 'st'], srvEnv).ms);
  row(
    'completions for a 2-letter prefix',
    median(compl),
    "node -e ''",
    floorMs,
    '≤ 1.2×',
    median(compl) <= 1.2 * floorMs,
  );

  // A worker killed with SIGKILL: how long until `list-workers` reports it dead.
  const lw = JSON.parse(
    spawnSync(BIN, ['list-workers', '--json'], {
      cwd: HELLO,
      env: { ...process.env, ...srvEnv },
      encoding: 'utf8',
    }).stdout,
  );
  const victim = lw.workers.find((x) => x.alive);
  process.kill(-victim.pid, 'SIGKILL');
  const k0 = Date.now();
  for (;;) {
    const now = JSON.parse(
      spawnSync(BIN, ['list-workers', '--json'], {
        cwd: HELLO,
        env: { ...process.env, ...srvEnv },
        encoding: 'utf8',
      }).stdout,
    );
    if (!now.workers.some((x) => x.pid === victim.pid && x.alive)) break;
  }
  const deadMs = Date.now() - k0;
  row('SIGKILLed worker reported dead', deadMs, '', undefined, '≤ 1000 ms', deadMs <= 1000);

  // `stalled` over 500 running workflows against the seed's way: list, then one
  // `temporal workflow describe` process per workflow.
  const MONITOR = join(ROOT, 'test', 'fixtures', 'monitor');
  const monEnv = { ...srvEnv, TSHELL_PROJECT_DIR: MONITOR };
  const w = spawnSync(BIN, ['ensure-worker'], {
    cwd: MONITOR,
    env: { ...process.env, ...monEnv },
    encoding: 'utf8',
  });
  if (w.status !== 0) throw new Error(`monitor worker: ${w.stderr}`);
  const N = Number(process.env.BENCH_STALLED ?? 500);
  const FAILING = 5; // each retries every 200 ms: keep the worker's load modest
  const starts = [];
  for (let i = 0; i < N; i++) {
    const type = i === 0 ? 'BrokenWorkflow' : i <= FAILING ? 'FailingActivityWorkflow' : 'ApprovalWorkflow';
    starts.push(() =>
      client.workflow.start(type, {
        taskQueue: 'monitor',
        workflowId: `bench-stalled-${i}`,
        args: type === 'FailingActivityWorkflow' ? [`o-${i}`] : [],
      }),
    );
  }
  for (let i = 0; i < starts.length; i += 50) await Promise.all(starts.slice(i, i + 50).map((f) => f()));
  await new Promise((r) => setTimeout(r, 4000)); // failing activities pass attempt 2, the broken task fails
  await untilWorkerIdle(client, N, (i) => `bench-stalled-${i}`);
  // One warm-up run (the helper's JIT has not seen 500 describes yet), then the median of five.
  const stalledRuns = [];
  let st;
  for (let i = 0; i < 6; i++) {
    const t0 = Date.now();
    st = spawnSync(BIN, ['stalled', '--json', '--limit', String(N + 10)], {
      cwd: MONITOR,
      env: { ...process.env, ...monEnv },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    stalledRuns.push(Date.now() - t0);
  }
  const firstStalledMs = stalledRuns.shift();
  const stalledMs = median(stalledRuns);
  const ours = new Set(JSON.parse(st.stdout).stalled.map((x) => x.workflowId));
  const t1 = Date.now();
  const list = spawnSync(
    temporalBin,
    [
      'workflow',
      'list',
      '--query',
      'ExecutionStatus="Running"',
      '--address',
      address,
      '-o',
      'json',
      '--limit',
      String(N + 10),
    ],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const ids = JSON.parse(list.stdout).map((x) => x.execution.workflowId);
  const seed = new Set();
  for (const id of ids) {
    const d = JSON.parse(
      spawnSync(temporalBin, ['workflow', 'describe', '-w', id, '--address', address, '-o', 'json'], {
        encoding: 'utf8',
      }).stdout,
    );
    const wft = d.pendingWorkflowTask;
    if ((wft && wft.attempt > 1) || (d.pendingActivities ?? []).some((a) => (a.attempt ?? 1) > 2)) seed.add(id);
  }
  const seedMs = Date.now() - t1;
  const same = ours.size === seed.size && [...seed].every((id) => ours.has(id));
  row(
    `\`stalled\` over ${N} running (same verdicts: ${same ? 'yes' : 'NO'}, ${ours.size} stalled; first run ${firstStalledMs} ms)`,
    stalledMs,
    'list + describe per workflow',
    seedMs,
    '≥ 50× faster',
    same && seedMs / stalledMs >= 50,
  );

  // `diagnose --all` over 200 more stalled workflows (each waits on an activity nobody polls),
  // against diagnosing them one by one (20 one-shot `diagnose --id` runs, scaled to the count).
  const M = Number(process.env.BENCH_DIAGNOSE_ALL ?? 200);
  const more = [];
  for (let i = 0; i < M; i++)
    more.push(() =>
      client.workflow.start('UnpolledActivityWorkflow', {
        taskQueue: 'monitor',
        workflowId: `bench-unpolled-${i}`,
      }),
    );
  for (let i = 0; i < more.length; i += 50) await Promise.all(more.slice(i, i + 50).map((f) => f()));
  await new Promise((r) => setTimeout(r, 2000));
  const allRuns = [];
  let all;
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    all = spawnSync(BIN, ['diagnose', '--all', '--json'], {
      cwd: MONITOR,
      env: { ...process.env, ...monEnv },
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    allRuns.push(Date.now() - t0);
  }
  const diagnosed = JSON.parse(all.stdout).diagnoses;
  const oneByOne = [];
  for (const d of diagnosed.slice(0, 20)) {
    const t0 = Date.now();
    spawnSync(BIN, ['diagnose', '--id', d.workflowId, '--json'], {
      cwd: MONITOR,
      env: { ...process.env, ...monEnv },
      encoding: 'utf8',
    });
    oneByOne.push(Date.now() - t0);
  }
  const oneByOneMs = (oneByOne.reduce((a, b) => a + b, 0) / oneByOne.length) * diagnosed.length;
  const classes = new Set(diagnosed.flatMap((d) => d.findings.map((f) => f.class)));
  row(
    `\`diagnose --all\` over ${diagnosed.length} stalled (classes: ${[...classes].join(', ')})`,
    median(allRuns),
    `${diagnosed.length} × one-shot diagnose (20 sampled)`,
    oneByOneMs,
    '≤ 5000 ms',
    median(allRuns) <= 5000,
  );

  // `stalled` over 5,000 running: thousands more waiting workflows with a stalled one (an activity
  // nobody polls) every 100, so stalled rows are spread through the listing. Human output, which
  // streams: the time to the first stalled row and to the end, through the launcher.
  const BIG = Number(process.env.BENCH_STALLED_BIG ?? 5000);
  const running = N + M;
  const extra = [];
  for (let i = 0; i < BIG - running; i++) {
    const type = i % 100 === 50 ? 'UnpolledActivityWorkflow' : 'ApprovalWorkflow';
    extra.push(() => client.workflow.start(type, { taskQueue: 'monitor', workflowId: `bench-big-${i}` }));
  }
  for (let i = 0; i < extra.length; i += 100) await Promise.all(extra.slice(i, i + 100).map((f) => f()));
  await untilWorkerIdle(client, extra.length, (i) => `bench-big-${i}`);
  const firsts = [];
  const totals = [];
  let bigOut = '';
  for (let i = 0; i < 3; i++) {
    const r = await timeStream(
      ['stalled', '--limit', String(BIG + 100)],
      { cwd: MONITOR, env: { ...process.env, ...monEnv } },
      /^bench-[\w-]+ /,
    );
    firsts.push(r.firstMatch);
    totals.push(r.total);
    bigOut = r.out;
  }
  const summary =
    bigOut
      .trim()
      .split('\n')
      .find((l) => / stalled of \d+ running/.test(l)) ?? bigOut.slice(-200);
  const checkedBig = Number(/ of (\d+) running/.exec(summary)?.[1] ?? 0);
  row(
    `\`stalled\` over ${checkedBig} running: first stalled row (${summary.replace(/^\W+/, '')})`,
    median(firsts),
    '',
    undefined,
    '≤ 500 ms',
    checkedBig >= BIG && median(firsts) <= 500,
  );
  row(
    `\`stalled\` over ${checkedBig} running: all rows`,
    median(totals),
    '',
    undefined,
    '≤ 10000 ms',
    checkedBig >= BIG && median(totals) <= 10_000,
  );
}
