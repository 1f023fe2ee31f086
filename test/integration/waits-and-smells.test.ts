// What a waiting workflow waits for (timer, declared handlers, the code's wait_condition), and each
// configuration smell, reproduced for real on the `monitor` fixture: the server records these settings
// in its own way (it cuts a start-to-close to the run timeout, copies a missing one from
// schedule-to-close, writes one WorkflowTaskTimedOut per task), and the findings must read that.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cleanup,
  declaredJson,
  eventually,
  FIXTURES,
  makeEnv,
  startType,
  tshell,
  type Env,
  type RunResult,
  serverAndWorker,
} from '../helpers/tshell.js';

const PROJECT = join(FIXTURES, 'monitor');

type WaitItem = { kind: string; name: string; seconds?: number; firesAt?: string; received?: number };
type Finding = {
  class: string;
  summary: string;
  evidence: { source: string; eventId?: number; text: string }[];
  procedure: { id: string; steps: string[] };
  waitingOn?: WaitItem[];
};
type Diagnosis = { status: string; findings: Finding[] };

describe('waiting, exactly; configuration smells, for real', () => {
  let env: Env;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: PROJECT });
  const start = (type: string, ...extra: string[]): Promise<string> => startType(run, type, 'monitor', ...extra);
  const diagnose = async (id: string): Promise<Diagnosis> =>
    declaredJson<Diagnosis>('diagnose', await run(['diagnose', '--id', id, '--json']));
  /** The smell of this kind, once the history shows it. */
  const smell = (
    id: string,
    kind: string,
    timeoutMs = 40_000,
    ready: (lines: string[], d: Diagnosis) => boolean = () => true,
  ) =>
    eventually(
      async () => {
        const d = await diagnose(id);
        const f = d.findings.find((x) => x.class === 'config-smell');
        const e = f?.evidence.find((x) => x.text.startsWith(`${kind}: `));
        return f &&
          e &&
          ready(
            f.evidence.filter((x) => x.text.startsWith(`${kind}: `)).map((x) => x.text),
            d,
          )
          ? { d, f, e }
          : undefined;
      },
      timeoutMs,
      `${id}: smell ${kind}`,
    );

  before(async () => {
    env = await makeEnv();
    await serverAndWorker(run);
  });
  after(async () => cleanup(env));

  it('a timer raced with a signal: the timer, the handlers it declares and what it received, the code it waits at', async () => {
    const id = await start('RaceWorkflow');
    const waiting = await eventually(
      async () => {
        const d = await diagnose(id);
        const w = d.findings[0]?.class === 'waiting' ? d.findings[0] : undefined;
        // Both, before asserting on either: a history read while the first workflow task is still
        // in flight has no timer yet, while the worker may already answer for the handlers.
        const kinds = new Set(w?.waitingOn?.map((i) => i.kind));
        return kinds.has('signal-handler') && kinds.has('timer') ? w : undefined;
      },
      30_000,
      'the waiting finding with its timer and handlers',
    );
    const timer = waiting.waitingOn?.find((i) => i.kind === 'timer');
    assert.equal(timer?.seconds, 3600);
    assert.ok(Math.abs(Date.parse(timer?.firesAt ?? '') - Date.now() - 3600_000) < 120_000, timer?.firesAt);
    assert.deepEqual(
      waiting.waitingOn
        ?.filter((i) => i.kind === 'signal-handler')
        .map((i) => [i.name, i.received])
        .sort(),
      [
        ['approve', 0],
        ['nudge', 0],
      ],
    );
    const condition = waiting.waitingOn?.find((i) => i.kind === 'condition');
    assert.match(
      condition?.name ?? '',
      /^src\/monitor\/workflows\.py:\d+ workflow\.wait_condition\(lambda: self\.approved, timeout=timedelta\(hours=1\)\)$/,
    );
    assert.match(
      waiting.summary,
      /waiting on timer 1 \(3600 s, fires .* UTC\), or signal approve \(received 0×\), signal nudge \(received 0×\); its code waits at src\/monitor\/workflows\.py:\d+/,
    );

    assert.equal((await run(['signal', 'nudge', '--id', id])).exitCode, 0);
    const described = await eventually(
      async () => {
        const d = await declaredJson<{ waitingOn?: WaitItem[] }>(
          'describe',
          await run(['describe', '--id', id, '--json']),
        );
        return d.waitingOn?.some((i) => i.kind === 'signal-handler' && i.name === 'nudge' && i.received === 1)
          ? d
          : undefined;
      },
      20_000,
      'describe to count the nudge',
    );
    assert.ok(described.waitingOn?.some((i) => i.kind === 'signal-received' && i.name === 'nudge'));
    assert.ok(described.waitingOn?.some((i) => i.kind === 'timer' && i.seconds === 3600));
    const human = await run(['describe', '--id', id]);
    assert.match(
      human.stdout,
      /^waiting on\s+timer 1 \(3600 s, fires .*\), or signal approve \(received 0×\), signal nudge \(received 1×\)/m,
    );
    await run(['terminate', '--id', id, '--yes']);
  });

  it('heartbeat timeout on an activity that never heartbeats', async () => {
    // The smell shows once the activity is scheduled; the workflow fails one workflow task later: wait for that.
    const { d, e } = await smell(
      await start('HeartbeatlessWorkflow'),
      'heartbeat-timeout-unused',
      40_000,
      (_lines, x) => x.status === 'FAILED',
    );
    assert.equal(d.status, 'FAILED');
    assert.equal(d.findings[0]?.class, 'activity-timeout');
    assert.match(e.text, /activity quiet_step timed out on its heartbeat/);
    assert.ok((e.eventId ?? 0) > 0);
    assert.deepEqual(d.findings.find((f) => f.class === 'config-smell')?.procedure.steps, [
      '# call activity.heartbeat() inside the activity, or drop heartbeat_timeout',
    ]);
  });

  it('a start-to-close the server cut to the run timeout, and one copied from schedule-to-close', async () => {
    const id = await start('LongActivityTimeoutWorkflow', '--execution-timeout', '60s');
    const { d, f } = await smell(id, 'start-to-close-missing', 40_000, (lines) => lines.length === 2);
    assert.equal(d.findings[0]?.class, 'waiting');
    const lines = f.evidence.filter((e) => e.text.startsWith('start-to-close-missing: '));
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.match(
      lines[0]?.text ?? '',
      /activity slow_step may take as long as the whole workflow run: its start-to-close is the run timeout \(60 s/,
    );
    assert.deepEqual(f.procedure.steps, [
      '# set start_to_close_timeout on the slow_step call to what one attempt needs',
    ]);
    await run(['terminate', '--id', id, '--yes']);
  });

  it('a payload near the 2 MB limit', async () => {
    const id = await start('BigPayloadWorkflow', '--input', '1700000');
    const { e } = await smell(id, 'payload-near-limit');
    assert.match(e.text, /a ActivityTaskCompleted payload is 1\.6 MB \(the server refuses 2 MB\)/);
    await run(['terminate', '--id', id, '--yes']);
  });

  it('repeated workflow-task timeouts', async () => {
    // Three tasks, each timing out once: the count reaches 3 (and starts at 2, the smell's threshold).
    const { d, e } = await smell(
      await start('SlowTaskWorkflow', '--task-timeout', '1s'),
      'workflow-task-timeouts',
      60_000,
      (lines) => /: [3-9]\d* workflow tasks/.test(lines[0] ?? ''),
    );
    assert.match(e.text, /^workflow-task-timeouts: [3-9]\d* workflow tasks timed out/);
    assert.ok(['RUNNING', 'COMPLETED'].includes(d.status), d.status);
  });

  it('a history past 10,000 events without continue-as-new', async () => {
    const id = await start('ManyTimersWorkflow', '--input', '5100');
    const { e } = await smell(id, 'history-too-large', 120_000);
    assert.match(e.text, /the history has 1\d{4} events and no continue-as-new/);
    await run(['terminate', '--id', id, '--yes']);
  });

  it('a built-in query answered as json/protobuf is shown, not an internal error', async () => {
    const id = await start('ApprovalWorkflow');
    const r = await eventually(
      async () => {
        const q = await run(['query', '__enhanced_stack_trace', '--id', id, '--json']);
        return q.exitCode === 0 ? q : undefined;
      },
      20_000,
      'the enhanced stack trace',
    );
    const body = JSON.parse(r.stdout) as { result: { sdk?: { name?: string } } };
    assert.equal(body.result.sdk?.name, 'sdk-python');
    await run(['terminate', '--id', id, '--yes']);
  });
});
