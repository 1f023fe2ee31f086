// Each diagnosis class that a running worker can produce, reproduced for real on the `monitor`
// fixture: the class, the procedure, and the evidence that cites the right event.
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

type Finding = {
  class: string;
  summary: string;
  evidence: { source: string; eventId?: number; text: string }[];
  procedure: { id: string };
};
type Diagnosis = { status: string; findings: Finding[] };

describe('diagnose, class by class', () => {
  let env: Env;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: env.env, cwd: PROJECT });
  const start = (type: string, ...extra: string[]): Promise<string> => startType(run, type, 'monitor', ...extra);
  /** `status`: also wait for it (a finding can come a workflow task before the close it leads to). */
  const diagnoseUntil = (id: string, cls: string, status?: string): Promise<Diagnosis> =>
    eventually(
      async () => {
        const d = await declaredJson<Diagnosis>('diagnose', await run(['diagnose', '--id', id, '--json']));
        return d.findings[0]?.class === cls && (!status || d.status === status) ? d : undefined;
      },
      40_000,
      `${id} to be diagnosed ${cls}${status ? ` and ${status}` : ''}`,
    );

  before(async () => {
    env = await makeEnv();
    await serverAndWorker(run);
  });
  after(async () => cleanup(env));

  it('sandbox-violation (not non-determinism)', async () => {
    const d = await diagnoseUntil(await start('SandboxWorkflow'), 'sandbox-violation');
    assert.equal(d.status, 'RUNNING');
    assert.equal(d.findings[0]?.procedure.id, 'fix-restart-resume');
    assert.match(
      d.findings[0]?.evidence[0]?.text ?? '',
      /RestrictedWorkflowAccessError: Cannot access datetime\.datetime\.now/,
    );
    assert.ok((d.findings[0]?.evidence[0]?.eventId ?? 0) > 0);
  });

  it('deadlock: workflow code that blocks for more than 2 s', async () => {
    const d = await diagnoseUntil(await start('DeadlockWorkflow'), 'deadlock');
    assert.equal(d.findings[0]?.procedure.id, 'fix-restart-resume');
    assert.match(
      d.findings[0]?.evidence[0]?.text ?? '',
      /WorkflowTaskFailed .*\[TMPRL1101\] Potential deadlock detected/,
    );
    assert.ok((d.findings[0]?.evidence[0]?.eventId ?? 0) > 0);
  });

  it('workflow-not-registered', async () => {
    const d = await diagnoseUntil(await start('NoSuchWorkflow'), 'workflow-not-registered');
    assert.equal(d.findings[0]?.procedure.id, 'register-and-restart');
    assert.match(d.findings[0]?.summary ?? '', /does not register workflow NoSuchWorkflow/);
    // The code says what the worker registers, and where.
    const code = (d.findings[0]?.evidence ?? []).filter((e) => e.source === 'code').map((e) => e.text);
    assert.ok(
      code.some((t) =>
        /^Worker\(\.\.\.\) at src\/monitor\/worker\.py:\d+ registers workflows: QuickWorkflow, ApprovalWorkflow/.test(
          t,
        ),
      ),
      code.join('\n'),
    );
    assert.ok(code.includes('no @workflow.defn named NoSuchWorkflow in the project'), code.join('\n'));
    // …and the running worker says what it really registers (its own report).
    const reported = (d.findings[0]?.evidence ?? []).find((e) => e.source === 'worker-report');
    assert.match(
      reported?.text ?? '',
      /^the running worker \(pid \d+, queue monitor\) registers workflows: QuickWorkflow, ApprovalWorkflow, .*TranslateWorkflow$/,
    );
  });

  it('activity-not-registered while it retries', async () => {
    const id = await start('MissingActivityWorkflow');
    const d = await diagnoseUntil(id, 'activity-not-registered');
    assert.equal(d.findings[0]?.procedure.id, 'register-and-restart');
    assert.ok(!d.findings.some((f) => f.class === 'activity-failing'));
    const code = (d.findings[0]?.evidence ?? []).filter((e) => e.source === 'code').map((e) => e.text);
    assert.ok(code.includes('no @activity.defn named not_registered_anywhere in the project'), code.join('\n'));
    assert.ok(
      (d.findings[0]?.evidence ?? []).some(
        (e) => e.source === 'worker-report' && /registers activities: greet, charge_card/.test(e.text),
      ),
    );
    assert.ok(
      code.some((t) =>
        /^Worker\(\.\.\.\) at src\/monitor\/worker\.py:\d+ registers activities: .*\(add not_registered_anywhere\)/.test(
          t,
        ),
      ),
      code.join('\n'),
    );
    // Advice after the diagnosis: unlimited retries of an error no retry can fix.
    const smells = await eventually(
      async () => {
        const again = await declaredJson<Diagnosis>('diagnose', await run(['diagnose', '--id', id, '--json']));
        const smell = again.findings.find((x) => x.class === 'config-smell');
        return smell ? { smell, last: again.findings.at(-1) } : undefined;
      },
      30_000,
      'the retries smell',
    );
    assert.equal(smells.last?.class, 'config-smell');
    assert.ok(
      smells.smell.evidence.some((e) =>
        /^retries-of-permanent-error: activity not_registered_anywhere retries NotFoundError forever/.test(e.text),
      ),
      JSON.stringify(smells.smell.evidence),
    );
  });

  it('bad-input: a start with the wrong number of inputs is not a code bug', async () => {
    const started = await run([
      'start',
      '--type',
      'QuickWorkflow',
      '--task-queue',
      'monitor',
      '--input',
      '"a"',
      '--input',
      '"b"',
      '--json',
    ]);
    const { workflowId: id, warning } = JSON.parse(started.stdout) as { workflowId: string; warning?: string };
    // start already warns: discovery knows run() takes one input.
    assert.match(
      warning ?? '',
      /QuickWorkflow\.run\(\) takes 1 input\(s\) \(src\/monitor\/workflows\.py:\d+\) and 2 were given/,
    );
    const d = await diagnoseUntil(id, 'bad-input');
    assert.equal(d.findings[0]?.procedure.id, 'terminate-start-right-input');
    assert.ok(!d.findings.some((f) => f.class === 'workflow-code-bug'));
    assert.match(d.findings[0]?.summary ?? '', /takes 2 positional arguments but 3 were given/);
    assert.ok(d.findings[0]?.evidence.some((e) => e.source === 'code' && /its run\(\) takes 1 input/.test(e.text)));
    await run(['terminate', '--id', id, '--yes']);
  });

  it('bad-input: the right count of the wrong shape (a dataclass field missing) is bad input too', async () => {
    const id = await start('TranslateWorkflow', '--input', '{"text": "hello"}');
    const d = await diagnoseUntil(id, 'bad-input');
    assert.equal(d.findings[0]?.procedure.id, 'terminate-start-right-input');
    assert.ok(!d.findings.some((f) => f.class === 'workflow-code-bug'), JSON.stringify(d.findings.map((f) => f.class)));
    assert.match(
      d.findings[0]?.summary ?? '',
      /started with input of the wrong shape: the input has no 'language_code' field for TranslateInput/,
    );
    assert.ok(d.findings[0]?.evidence.some((e) => e.source === 'history' && /Failed decoding arguments/.test(e.text)));
    await run(['terminate', '--id', id, '--yes']);
  });

  it('activity-retries-exhausted', async () => {
    // The retries end in ActivityTaskFailed while the workflow still runs; the next task fails it.
    const d = await diagnoseUntil(await start('ExhaustedActivityWorkflow'), 'activity-retries-exhausted', 'FAILED');
    assert.equal(d.findings[0]?.procedure.id, 'fix-restart-new');
    assert.ok(!d.findings.some((f) => f.class === 'workflow-failed'));
  });

  it('activity-timeout, even when it ends the retries', async () => {
    // Waited until the second timeout has failed it: the case where the timeout is what ended the retries.
    const d = await diagnoseUntil(await start('SlowActivityWorkflow'), 'activity-timeout', 'FAILED');
    assert.equal(d.findings[0]?.procedure.id, 'raise-timeout');
    assert.ok(!d.findings.some((f) => f.class === 'activity-retries-exhausted'));
  });

  it('workflow-timeout', async () => {
    const d = await diagnoseUntil(await start('ApprovalWorkflow', '--execution-timeout', '2s'), 'workflow-timeout');
    assert.equal(d.status, 'TIMED_OUT');
    assert.equal(d.findings[0]?.procedure.id, 'raise-timeout');
  });

  it('task-queue-mismatch names both queues', async () => {
    const r = await run(['start', '--type', 'QuickWorkflow', '--task-queue', 'elsewhere', '--input', '"x"', '--json']);
    const id = (JSON.parse(r.stdout) as { workflowId: string }).workflowId;
    const d = await diagnoseUntil(id, 'task-queue-mismatch');
    assert.match(d.findings[0]?.summary ?? '', /task queue elsewhere, the project's worker polls monitor/);
    const code = (d.findings[0]?.evidence ?? []).filter((e) => e.source === 'code').map((e) => e.text);
    assert.ok(
      code.some((t) =>
        /^Worker\(\.\.\.\) at src\/monitor\/worker\.py:\d+ polls monitor \(set at src\/monitor\/worker\.py:\d+ \(default of env MONITOR_TASK_QUEUE\)\)/.test(
          t,
        ),
      ),
      code.join('\n'),
    );
    assert.equal(d.findings[0]?.procedure.id, 'align-task-queue');
  });

  it('canceled, with the procedure that reviews the reason', async () => {
    const id = await start('ApprovalWorkflow');
    assert.equal((await run(['cancel', '--id', id, '--yes'])).exitCode, 0);
    const d = await diagnoseUntil(id, 'canceled');
    assert.equal(d.status, 'CANCELED');
    assert.equal(d.findings[0]?.procedure.id, 'review-reason');
    assert.match(d.findings[0]?.evidence[0]?.text ?? '', /WorkflowExecutionCanceled/);
    assert.ok((d.findings[0]?.evidence[0]?.eventId ?? 0) > 0);
  });

  it('terminated, with who and why; healthy', async () => {
    const id = await start('ApprovalWorkflow');
    await run(['terminate', '--id', id, '--reason', 'wrong input', '--yes']);
    const d = await diagnoseUntil(id, 'terminated');
    assert.match(d.findings[0]?.summary ?? '', /terminated .*: wrong input/);
    const ok = await run(['start', '--type', 'QuickWorkflow', '--task-queue', 'monitor', '--input', '"Al"']);
    assert.equal(ok.exitCode, 0);
    await run(['wait']);
    const h = await run(['diagnose']);
    assert.equal(h.exitCode, 0);
    assert.match(h.stdout, /healthy \(info\)/);
  });

  it('no-worker once the worker is gone', async () => {
    const id = await start('ApprovalWorkflow');
    await run(['kill-worker']);
    const d = await diagnoseUntil(id, 'no-worker');
    assert.equal(d.findings[0]?.procedure.id, 'start-worker');
  });
});
