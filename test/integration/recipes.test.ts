// Recipes end to end on examples/hello: each runs its registry commands in order, stops at the first
// failing step and names it; clear-stalled closes exactly the stalled workflows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cleanup, declaredJson, eventually, makeEnv, tshell, type Env, type RunResult } from '../helpers/tshell.js';

type Recipe = { recipe: string; ok: boolean; steps: { line: string; exitCode: number }[]; stoppedAt?: string };

describe('recipes on examples/hello', () => {
  let env: Env;
  const run = (args: string[], input?: string): Promise<RunResult> =>
    tshell(args, { env: env.env, ...(input !== undefined ? { input } : {}) });
  before(async () => {
    env = await makeEnv();
  });
  after(async () => cleanup(env));

  it('clean-start: kill workers, server, fresh worker, start', async () => {
    const r = await run(['recipe', 'clean-start']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(
      r.stdout,
      /▸ \[1\/4\] kill-all-workers[\s\S]*▸ \[4\/4\] start[\s\S]*started workflow greeting-[\s\S]*✓ recipe clean-start: 4 steps ok/,
    );
    const wait = await run(['wait', '--status', 'COMPLETED']);
    assert.equal(wait.exitCode, 0);
  });

  it('test-interactive: start, wait RUNNING, signal, wait COMPLETED, result, stop the worker', async () => {
    const r = await run([
      'recipe',
      'test-interactive',
      '--type',
      'ApprovalWorkflow',
      '--start-input',
      '"Ada"',
      '--signal',
      'approve',
      '--input',
      '"Bob"',
      '--json',
    ]);
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const d = await declaredJson<Recipe>('recipe', r);
    assert.deepEqual(
      d.steps.map((s) => s.line.split(' ')[0]),
      ['ensure-worker', 'start', 'wait', 'signal', 'wait', 'result', 'kill-worker'],
    );
    const result = await declaredJson<{ result: string }>('result', await run(['result', '--json']));
    assert.match(result.result, /Ada.*approved by Bob/);
    assert.equal((await run(['recipe', 'test-interactive'])).exitCode, 2, 'needs --signal');
  });

  it('check-recent checks every COMPLETED result', async () => {
    const recent = await declaredJson<{ workflows: { status: string }[] }>('recent', await run(['recent', '--json']));
    const completed = recent.workflows.filter((w) => w.status === 'COMPLETED').length;
    assert.ok(completed >= 2);
    const d = await declaredJson<Recipe>('recipe', await run(['recipe', 'check-recent', '--minutes', '10', '--json']));
    assert.equal(d.ok, true);
    assert.equal(d.steps.filter((s) => s.line.startsWith('result ')).length, completed);
  });

  it('debug-stalled, then clear-stalled closes exactly the 3 stalled and leaves the waiting one', async () => {
    assert.equal((await run(['ensure-worker'])).exitCode, 0);
    const stalled: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await run(['start', '--type', 'NoSuchWorkflow', '--task-queue', 'hello-tasks', '--json']);
      stalled.push((JSON.parse(s.stdout) as { workflowId: string }).workflowId);
    }
    const waiting = (
      JSON.parse((await run(['start', '--type', 'ApprovalWorkflow', '--input', '"Cy"', '--json'])).stdout) as {
        workflowId: string;
      }
    ).workflowId;
    const seen = await eventually(
      async () => {
        const s = await declaredJson<{ stalled: { workflowId: string }[] }>(
          'stalled',
          await run(['stalled', '--json']),
        );
        const ids = s.stalled.map((x) => x.workflowId);
        return stalled.every((id) => ids.includes(id)) ? ids : undefined;
      },
      60_000,
      'the three workflows to show as stalled',
    );
    assert.ok(!seen.includes(waiting), 'the one waiting for a signal is not stalled');
    const debug = await run(['recipe', 'debug-stalled']);
    assert.equal(debug.exitCode, 0, debug.stderr);
    assert.match(debug.stdout, /workflow-not-registered/);
    const noYes = await run(['recipe', 'clear-stalled']);
    assert.equal(noYes.exitCode, 1);
    assert.match(noYes.stdout, /recipe clear-stalled stopped at step 2 \(bulk-cancel --stalled --terminate/);
    const clear = await run(['recipe', 'clear-stalled', '--yes']);
    assert.equal(clear.exitCode, 0, clear.stdout + clear.stderr);
    for (const id of stalled)
      assert.equal(
        (await declaredJson<{ status: string }>('describe', await run(['describe', '--id', id, '--json']))).status,
        'TERMINATED',
      );
    assert.equal(
      (await declaredJson<{ status: string }>('describe', await run(['describe', '--id', waiting, '--json']))).status,
      'RUNNING',
    );
  });

  it('stops at the first failing step and names it', async () => {
    const r = await run(['recipe', 'clean-start', '--starter-cmd', 'false']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /✗ recipe clean-start stopped at step 4 \(start\): exit code 1/);
  });
});
