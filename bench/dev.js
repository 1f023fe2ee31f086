// `tshell dev` rows for bench/run.js, on a copy of examples/hello (the checkout is never edited), with
// the plain `ensure-worker` restart as the baseline in the same run: save → new worker polling for an
// activity-only change and for a workflow change under 10 running workflows (the gate included), what
// the gate alone took, a failing workflow → its line in the feed, and the idle CPU of `dev` itself.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** `tshell dev --json` in `dir`, its events as they come. */
function startDev(bin, dir, env) {
  const proc = spawn(process.execPath, [bin, 'dev', '--json'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  const events = [];
  let pending = '';
  proc.stdout.on('data', (d) => {
    pending += d.toString();
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      events.push(JSON.parse(pending.slice(0, nl)));
      pending = pending.slice(nl + 1);
    }
  });
  let from = 0;
  const next = async (pred, what, timeoutMs = 120_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const i = events.findIndex((e, k) => k >= from && pred(e));
      if (i >= 0) {
        from = i + 1;
        return events[i];
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`dev bench: no ${what} (events: ${events.map((e) => e.event).join(', ')})`);
  };
  const stop = () =>
    new Promise((r) => {
      proc.once('exit', r);
      proc.kill('SIGINT');
    });
  return { proc, next, stop };
}

const cpuTicks = (pid) => {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime, in clock ticks (100 a second)
};

export async function benchDev({ row, root, bin, stateDir, env, client, idleSeconds = 60 }) {
  const dir = join(stateDir, 'dev-hello');
  cpSync(join(root, 'examples', 'hello'), dir, {
    recursive: true,
    filter: (src) => !/(^|\/)(\.venv|__pycache__|uv\.lock)$/.test(src),
  });
  const run = (args) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
  if (run(['ensure-worker']).status !== 0) throw new Error('dev bench: ensure-worker failed');
  const baseline = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    if (run(['ensure-worker', '--force']).status !== 0) throw new Error('dev bench: ensure-worker --force failed');
    baseline.push(Date.now() - t0);
  }
  const dev = startDev(bin, dir, env);
  try {
    await dev.next((e) => e.event === 'watching', 'watching');
    const saveAndWait = async (file) => {
      const t0 = Date.now();
      appendFileSync(file, `# bench edit ${t0}\n`);
      const e = await dev.next((x) => x.event === 'restarted' || x.event === 'kept', 'restart');
      if (e.event !== 'restarted') throw new Error(`dev bench: kept the old worker: ${e.message}`);
      return { ms: Date.parse(e.at) - t0, e };
    };
    const activityOnly = [];
    for (let i = 0; i < 3; i++) activityOnly.push((await saveAndWait(join(dir, 'src', 'hello', 'activities.py'))).ms);
    const waiting = [];
    for (let i = 0; i < 10; i++)
      waiting.push(
        await client.workflow.start('ApprovalWorkflow', {
          taskQueue: 'hello-tasks',
          workflowId: `bench-dev-${Date.now()}-${i}`,
          args: ['bench'],
        }),
      );
    await dev.next((e) => e.event === 'started' && e.workflowId === waiting.at(-1).workflowId, 'the 10 starts');
    const withGate = [];
    const gate = [];
    for (let i = 0; i < 3; i++) {
      const { ms, e } = await saveAndWait(join(dir, 'src', 'hello', 'workflows.py'));
      if (e.gate?.checked !== 10) throw new Error(`dev bench: the gate checked ${e.gate?.checked} of 10`);
      withGate.push(ms);
      gate.push(e.took.gateMs);
    }
    // A workflow that starts failing: from its start to its line in the feed.
    const bad = await client.workflow.start('GreetingWorkflow', {
      taskQueue: 'hello-tasks',
      workflowId: `bench-dev-bad-${Date.now()}`,
      args: [42],
    });
    const badAt = Date.now();
    const failing = await dev.next(
      (e) => (e.event === 'failing' || e.event === 'closed') && e.workflowId === bad.workflowId,
      'the failing workflow',
    );
    const failingMs = Date.parse(failing.at) - badAt;
    await bad.terminate('bench').catch(() => undefined);
    // Idle: nothing saved, nothing started.
    const ticks0 = cpuTicks(dev.proc.pid);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const cpu = ((cpuTicks(dev.proc.pid) - ticks0) / 100 / ((Date.now() - t0) / 1000)) * 100;
    const base = median(baseline);
    row(
      'dev: save → new worker polling, activity-only change (hello)',
      median(activityOnly),
      'ensure-worker restart',
      base,
      '≤ 1500 ms',
      median(activityOnly) <= 1500,
    );
    row(
      'dev: save → new worker polling, workflow change, 10 running (gate included)',
      median(withGate),
      'ensure-worker restart',
      base,
      '≤ 2500 ms',
      median(withGate) <= 2500,
    );
    row(
      'dev: the gate replaying 10 running workflows (warm Python)',
      median(gate),
      '',
      undefined,
      '≤ 300 ms',
      median(gate) <= 300,
    );
    row(
      `dev: a workflow starts failing → its line in the feed (${failing.event === 'failing' ? failing.class : failing.status})`,
      failingMs,
      '',
      undefined,
      '≤ 2000 ms',
      failing.event === 'failing' && failingMs <= 2000,
    );
    row(`dev: idle CPU over ${idleSeconds} s (% of one core)`, cpu, '', undefined, '≤ 5 %', cpu <= 5, '%');
    await Promise.all(waiting.map((h) => h.terminate('bench').catch(() => undefined)));
  } finally {
    await dev.stop();
    run(['kill-worker']);
  }
}
