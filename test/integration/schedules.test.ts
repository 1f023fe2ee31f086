// Schedules for real: the `schedules` fixture's own script creates a daily report whose run fails (an
// activity whose source is down) and a sync every 2 s that outlives its interval (the SKIP overlap
// policy skips what comes due meanwhile). tshell lists, describes, diagnoses, pauses, triggers,
// backfills and deletes them, and completes their ids.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import {
  cleanup,
  copyProject,
  declaredJson,
  eventually,
  makeEnv,
  tshell,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

interface Listed {
  schedules: {
    scheduleId: string;
    workflowType?: string;
    paused: boolean;
    nextRuns: string[];
    recent: { workflowId: string }[];
    lastStatus?: string;
  }[];
}
interface Described {
  schedule: {
    scheduleId: string;
    paused: boolean;
    note?: string;
    overlap: string;
    skippedOverlap: number;
    actionsTaken: number;
    running: { workflowId: string }[];
    recent: { workflowId: string }[];
  };
}
interface ScheduleDiagnosis {
  schedule: { scheduleId: string };
  findings: { kind: string; severity: string; summary: string; evidence: string[]; fix: string[] }[];
  runs: { workflowId: string; status: string; finding?: { class: string; summary: string } }[];
}

describe('schedules', () => {
  let env: Env;
  let dir: string;
  const run = (args: string[]): Promise<RunResult> =>
    tshell(args, { env: { ...env.env, TSHELL_HELPER: '0' }, cwd: dir });
  const describeOne = async (id: string) =>
    declaredJson<Described>('schedule', await run(['schedule', 'describe', id, '--json']));

  before(async () => {
    env = await makeEnv();
    dir = copyProject('schedules', env);
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    const ready = await declaredJson<{ environment?: { dir: string } }>(
      'ensure-worker',
      await run(['ensure-worker', '--json']),
    );
    assert.ok(ready.environment, 'the fixture has no .venv: tshell built its own environment');
    // The project's own script makes its schedules, in the environment its worker runs in.
    const made = await execa(join(ready.environment.dir, 'bin', 'python'), ['create_schedules.py'], {
      cwd: dir,
      env: { ...process.env, TEMPORAL_ADDRESS: env.address },
      reject: false,
    });
    // What it made is asserted by the tests below; its exit code is not: the SDK's native runtime
    // sometimes crashes while the interpreter shuts down, after the work is done (seen here: SIGSEGV).
    assert.match(made.stdout, /created schedules nightly-report and frequent-sync/, made.stderr);
  });
  after(async () => cleanup(env));

  it('lists each schedule with what it starts, its state, next run and last result', async () => {
    const listed = await eventually(
      async () => {
        const d = await declaredJson<Listed>('schedules', await run(['schedules', '--json']));
        const report = d.schedules.find((s) => s.scheduleId === 'nightly-report');
        return report?.lastStatus === 'FAILED' ? d : undefined;
      },
      60_000,
      'the nightly report to have failed',
    );
    assert.deepEqual(
      listed.schedules.map((s) => [s.scheduleId, s.workflowType, s.paused]),
      [
        ['frequent-sync', 'SyncWorkflow', false],
        ['nightly-report', 'ReportWorkflow', false],
      ],
    );
    const sync = listed.schedules.find((s) => s.scheduleId === 'frequent-sync');
    assert.equal(sync?.lastStatus, 'RUNNING');
    assert.ok(listed.schedules.every((s) => s.nextRuns.length > 0));
    const human = await run(['schedules']);
    assert.match(human.stdout, /schedule id +workflow +state +runs +next run +last run +last result/);
    assert.match(human.stdout, /nightly-report +ReportWorkflow +active +every 1d .* FAILED/);
    assert.match(human.stdout, /frequent-sync +SyncWorkflow +active +every 2s .* RUNNING/);
  });

  it('diagnose --schedule: the failing runs with their own finding, and the next runs', async () => {
    const r = await run(['diagnose', '--schedule', 'nightly-report', '--json']);
    assert.equal(r.exitCode, 1, r.stderr);
    const d = await declaredJson<ScheduleDiagnosis>('diagnose', r);
    const failing = d.findings.find((f) => f.kind === 'runs-failing');
    assert.ok(failing, JSON.stringify(d.findings));
    assert.match(failing.summary, /1 of its last 1 run\(s\) is FAILED: nightly-report-/);
    assert.match(failing.summary, /report source unreachable for today/);
    assert.equal(d.runs[0]?.status, 'FAILED');
    assert.ok(d.runs[0]?.finding, 'the run has its own finding');
    assert.deepEqual(failing.fix, [`diagnose --id ${d.runs[0]?.workflowId}`]);
    const human = await run(['diagnose', '--schedule', 'nightly-report']);
    assert.match(human.stdout, /^✗ schedule nightly-report active: ReportWorkflow, every 1d/);
    assert.match(human.stdout, /next runs: \d{4}-/);
  });

  it('diagnose --schedule: actions the overlap policy skipped, with the run still going', async () => {
    await eventually(
      async () => ((await describeOne('frequent-sync')).schedule.skippedOverlap > 0 ? true : undefined),
      30_000,
      'an action to be skipped',
    );
    const r = await run(['diagnose', '--schedule', 'frequent-sync', '--json']);
    assert.equal(r.exitCode, 1, r.stderr);
    const d = await declaredJson<ScheduleDiagnosis>('diagnose', r);
    const skipped = d.findings.find((f) => f.kind === 'skipped-overlap');
    assert.ok(skipped, JSON.stringify(d.findings));
    assert.match(
      skipped.summary,
      /^\d+ action\(s\) skipped by the overlap policy SKIP: a run was still going when the next was due$/,
    );
    const running = (await describeOne('frequent-sync')).schedule.running.map((x) => x.workflowId);
    assert.equal(running.length, 1);
    assert.ok(skipped.evidence.includes(`still running: ${running[0]}`), skipped.evidence.join(' | '));
  });

  it('pause with a note, which diagnose reports; unpause; trigger starts a run now', async () => {
    const paused = await declaredJson<Described>(
      'schedule',
      await run(['schedule', 'pause', 'frequent-sync', '--note', 'upstream down', '--json']),
    );
    assert.deepEqual([paused.schedule.paused, paused.schedule.note], [true, 'upstream down']);
    const d = await declaredJson<ScheduleDiagnosis>(
      'diagnose',
      await run(['diagnose', '--schedule', 'frequent-sync', '--json']),
    );
    const finding = d.findings.find((f) => f.kind === 'paused');
    assert.equal(finding?.summary, 'paused: upstream down');
    assert.deepEqual(finding?.fix, ['schedule unpause frequent-sync']);
    assert.match((await run(['diagnose', '--schedule', 'frequent-sync'])).stdout, /next runs: none while paused/);
    const unpaused = await declaredJson<Described>(
      'schedule',
      await run(['schedule', 'unpause', 'frequent-sync', '--json']),
    );
    assert.equal(unpaused.schedule.paused, false);

    const before = (await describeOne('nightly-report')).schedule.actionsTaken;
    assert.equal((await run(['schedule', 'trigger', 'nightly-report'])).exitCode, 0);
    await eventually(
      async () => ((await describeOne('nightly-report')).schedule.actionsTaken > before ? true : undefined),
      30_000,
      'the triggered run',
    );
  });

  it('backfill and delete need consent bound to the schedule; the token carries it out', async () => {
    const refused = await run(['schedule', 'backfill', 'nightly-report', '--start', '3d', '--json']);
    assert.equal(refused.exitCode, 2);
    const plan = (
      JSON.parse(refused.stdout) as {
        error: { code: string; plan: { class: string; targets: { scheduleId: string }[] } };
      }
    ).error;
    assert.equal(plan.code, 'TSHELL-NEEDS-CONFIRMATION');
    assert.deepEqual([plan.plan.class, plan.plan.targets[0]?.scheduleId], ['schedules', 'nightly-report']);
    const taken = (await describeOne('nightly-report')).schedule.actionsTaken;
    assert.equal((await run(['schedule', 'backfill', 'nightly-report', '--start', '3d', '--yes'])).exitCode, 0);
    await eventually(
      async () => ((await describeOne('nightly-report')).schedule.actionsTaken > taken ? true : undefined),
      30_000,
      'the backfilled runs',
    );

    const asked = await run(['schedule', 'delete', 'frequent-sync', '--json']);
    assert.equal(asked.exitCode, 2);
    const token = (JSON.parse(asked.stdout) as { error: { token: string } }).error.token;
    assert.equal(
      (await run(['schedule', 'delete', 'nightly-report', '--confirm', token])).exitCode,
      2,
      "one schedule's token does not delete another",
    );
    const deleted = await run(['schedule', 'delete', 'frequent-sync', '--confirm', token]);
    assert.equal(deleted.exitCode, 0, deleted.stderr);
    assert.match(deleted.stdout, /deleted schedule frequent-sync/);
    const left = await declaredJson<Listed>('schedules', await run(['schedules', '--json']));
    assert.deepEqual(
      left.schedules.map((s) => s.scheduleId),
      ['nightly-report'],
    );
    const gone = await run(['schedule', 'describe', 'frequent-sync']);
    assert.equal(gone.exitCode, 2, gone.stderr);
    assert.match(
      gone.stderr,
      /^✗ schedule frequent-sync not found in namespace default\n {2}hint: list them with `schedules`/,
    );
  });

  it('completes schedule ids for schedule and diagnose --schedule', async () => {
    const words = async (...w: string[]) => (await run(['__complete', ...w])).stdout.split('\n').filter(Boolean);
    assert.deepEqual(await words('schedule', 'describe', 'nig'), ['nightly-report']);
    assert.deepEqual(await words('diagnose', '--schedule', ''), ['nightly-report']);
    assert.deepEqual(await words('schedule', 'pa'), ['pause']);
  });
});
