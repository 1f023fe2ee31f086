// Workflows that close badly: an error-shaped COMPLETED result, a FAILED workflow, and a starter
// that prints no id (found on the server instead).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup, FIXTURES, makeEnv, tshell, type Env } from '../helpers/tshell.js';

const PROJECT = join(FIXTURES, 'outcomes');

describe('workflow outcomes', () => {
  let env: Env;
  const run = (args: string[]) => tshell(args, { env: env.env, cwd: PROJECT });
  before(async () => {
    env = await makeEnv();
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    const w = await run(['ensure-worker']);
    assert.equal(w.exitCode, 0, w.stderr);
  });
  after(async () => cleanup(env));

  it('finds the workflow on the server when the starter prints no id', async () => {
    const r = await run(['start', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { workflowId: string; source: string };
    assert.match(data.workflowId, /^quiet-[0-9a-f]{8}$/);
    assert.equal(data.source, 'server');
  });

  it('keeps the workflow a starter started before failing, and warns about the starter', async () => {
    const r = await run(['start', '--starter-cmd', 'uv run starter-fails', '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { workflowId: string; starterFailure?: string };
    assert.match(data.workflowId, /^quiet-[0-9a-f]{8}$/);
    // Exit code 1 from the raise; the SDK's runtime sometimes aborts at interpreter teardown (134/139) instead.
    assert.match(data.starterFailure ?? '', /^starter failed \(exit code (1|13[49]: killed by signal \d+)\)$/);
    const human = await run(['start', '--starter-cmd', 'uv run starter-fails']);
    assert.match(
      human.stdout,
      /warning: starter failed \(exit code (1|13[49]: killed by signal \d+)\) after the workflow started/,
    );
  });

  it('warns about an error-shaped result, and exits 1 with --strict', async () => {
    assert.equal((await run(['wait', '--status', 'COMPLETED'])).exitCode, 0);
    const warn = await run(['result']);
    assert.equal(warn.exitCode, 0);
    assert.match(warn.stdout, /warning: the result looks like an error \("status" is "error"\)/);
    const strict = await run(['result', '--strict', '--json']);
    assert.equal(strict.exitCode, 1);
    const data = JSON.parse(strict.stdout) as { result: { message: string }; errorShaped: string };
    assert.equal(data.result.message, 'card declined');
    assert.equal(data.errorShaped, '"status" is "error"');
    const diag = JSON.parse((await run(['diagnose', '--json'])).stdout) as {
      findings: { class: string; procedure: { id: string } }[];
    };
    assert.deepEqual(
      diag.findings.map((f) => [f.class, f.procedure.id]),
      [['error-result', 'inspect-result']],
    );
  });

  it('reports a FAILED workflow: wait exits 1 naming the status, result shows the failure', async () => {
    const started = await run(['start', '--type', 'FailingWorkflow', '--task-queue', 'outcomes']);
    assert.equal(started.exitCode, 0, started.stderr);
    const wait = await run(['wait', '--status', 'COMPLETED', '--timeout', '30']);
    assert.equal(wait.exitCode, 1);
    assert.match(wait.stdout, /closed as FAILED, not COMPLETED: InvalidOrder: order 42 is invalid/);
    const result = await run(['result']);
    const diag = await run(['diagnose', '--json']);
    assert.equal(diag.exitCode, 1);
    const d = JSON.parse(diag.stdout) as { findings: { class: string; procedure: { id: string } }[] };
    assert.deepEqual([d.findings[0]?.class, d.findings[0]?.procedure.id], ['workflow-failed', 'fix-restart-new']);
    assert.equal(result.exitCode, 1);
    assert.match(result.stdout, /FAILED\nInvalidOrder: order 42 is invalid/);
  });

  it('a parent waiting on a stuck child is diagnosed by its child: child-workflow, and trace shows the tree', async () => {
    const { eventually, declaredJson } = await import('../helpers/tshell.js');
    const started = await run([
      'start',
      '--type',
      'ParentWorkflow',
      '--task-queue',
      'outcomes',
      '--id',
      `parent-${Date.now()}`,
      '--json',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
    type D = { findings: { class: string; summary: string; procedure: { steps: string[] } }[] };
    const d = await eventually(
      async () => {
        const x = await declaredJson<D>('diagnose', await run(['diagnose', '--id', id, '--json']));
        return x.findings[0]?.class === 'child-workflow' ? x : undefined;
      },
      60_000,
      'the parent to be diagnosed by its child',
    );
    assert.match(
      d.findings[0]?.summary ?? '',
      new RegExp(
        `waits on child workflow ${id}-child \\(BrokenChildWorkflow\\), which is workflow-code-bug: .*child bug: missing order lines`,
      ),
    );
    assert.deepEqual(d.findings[0]?.procedure.steps, [`diagnose --id ${id}-child`, `wizard --id ${id}-child`]);
    const t = await run(['trace', '--id', id]);
    assert.equal(t.exitCode, 1);
    assert.match(t.stdout, new RegExp(`${id} \\(ParentWorkflow\\) RUNNING · child-workflow`));
    assert.match(t.stdout, new RegExp(`└─ ✗ ${id}-child \\(BrokenChildWorkflow\\) RUNNING · workflow-code-bug`));
    await run(['terminate', '--id', `${id}-child`, '--yes']);
    await run(['terminate', '--id', id, '--yes']);
  });

  it('a run that compensated and COMPLETED with an error result: error-result first, the handled activity failure is its evidence', async () => {
    const { eventually, declaredJson } = await import('../helpers/tshell.js');
    const started = await run([
      'start',
      '--type',
      'CompensatingWorkflow',
      '--task-queue',
      'outcomes',
      '--input',
      '"o-7"',
      '--json',
    ]);
    assert.equal(started.exitCode, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
    assert.equal((await run(['wait', '--id', id, '--status', 'COMPLETED', '--timeout', '60'])).exitCode, 0);
    type D = { findings: { class: string; evidence: { text: string }[] }[] };
    const d = await eventually(
      async () => {
        const x = await declaredJson<D>('diagnose', await run(['diagnose', '--id', id, '--json']));
        return x.findings.length ? x : undefined;
      },
      20_000,
      'a diagnosis',
    );
    assert.deepEqual(
      d.findings.filter((f) => f.class !== 'config-smell').map((f) => f.class),
      ['error-result'],
    );
    assert.ok(
      d.findings[0]?.evidence.some((e) =>
        /handled by the workflow: activity charge_card failed for good \(MAXIMUM_ATTEMPTS_REACHED\)/.test(e.text),
      ),
      JSON.stringify(d.findings[0]?.evidence),
    );
  });
});
