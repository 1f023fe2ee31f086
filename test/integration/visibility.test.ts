// Visibility queries for real: `list --query` and `count --query [--group-by ExecutionStatus]` against a
// dev server, checked against the workflows the test started and against the Temporal CLI's own count;
// a query the server rejects is one line with its reason and a hint.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import {
  cleanup,
  declaredJson,
  eventually,
  makeEnv,
  noStackTrace,
  ROOT,
  startType,
  tshell,
  type Env,
  type RunResult,
} from '../helpers/tshell.js';

describe('visibility queries', () => {
  let env: Env;
  const run = (args: string[]): Promise<RunResult> => tshell(args, { env: { ...env.env, TSHELL_HELPER: '0' } });
  let type: string;
  const running: string[] = [];
  const terminated: string[] = [];

  before(async () => {
    env = await makeEnv();
    assert.equal((await run(['ensure-server', '--headless'])).exitCode, 0);
    // No worker polls this queue: the workflows stay RUNNING until the test terminates some.
    type = `QueryProbe${env.address.split(':')[1]}`;
    for (let i = 0; i < 5; i++) running.push(await startType(run, type, 'no-worker-here'));
    for (const id of running.splice(0, 2)) {
      assert.equal((await run(['terminate', '--id', id, '--yes'])).exitCode, 0);
      terminated.push(id);
    }
  });
  after(async () => cleanup(env));

  const byType = () => `WorkflowType = "${type}"`;

  it('list --query: exactly the executions that match, newest first, and whether more match', async () => {
    const listed = await eventually(
      async () => {
        const d = await declaredJson<{
          query: string;
          workflows: { workflowId: string; status: string }[];
          more: boolean;
        }>('list', await run(['list', '--query', byType(), '--json']));
        return d.workflows.length === 5 && d.workflows.filter((w) => w.status === 'TERMINATED').length === 2
          ? d
          : undefined;
      },
      30_000,
      'visibility to show the five workflows and the two terminations',
    );
    assert.equal(listed.query, byType());
    assert.deepEqual(listed.workflows.map((w) => w.workflowId).sort(), [...running, ...terminated].sort());
    assert.equal(listed.more, false);
    const onlyRunning = await declaredJson<{ workflows: { workflowId: string }[] }>(
      'list',
      await run(['list', '--query', `${byType()} AND ExecutionStatus = "Running"`, '--json']),
    );
    assert.deepEqual(onlyRunning.workflows.map((w) => w.workflowId).sort(), [...running].sort());
    const limited = await declaredJson<{ workflows: unknown[]; more: boolean }>(
      'list',
      await run(['list', '--query', byType(), '--limit', '2', '--json']),
    );
    assert.deepEqual([limited.workflows.length, limited.more], [2, true]);
    const human = await run(['list', '--query', byType(), '--limit', '2']);
    assert.match(human.stdout, /workflow id +type +status/);
    assert.match(human.stdout, /more match: --limit 4 shows more/);
  });

  it('count --query, and --group-by ExecutionStatus, agree with the Temporal CLI', async () => {
    const counted = await declaredJson<{ count: number }>('count', await run(['count', '--query', byType(), '--json']));
    assert.equal(counted.count, 5);
    const grouped = await declaredJson<{ count: number; groupBy: string; groups: { value: string; count: number }[] }>(
      'count',
      await run(['count', '--query', byType(), '--group-by', 'ExecutionStatus', '--json']),
    );
    assert.equal(grouped.count, 5);
    assert.deepEqual(grouped.groups, [
      { value: 'RUNNING', count: 3 },
      { value: 'TERMINATED', count: 2 },
    ]);
    const cli = await execa(
      join(ROOT, '.tools', 'venv', 'bin', 'temporal'),
      ['workflow', 'count', '--query', byType(), '--address', env.address, '-o', 'json'],
      { reject: false },
    );
    assert.equal(cli.exitCode, 0, cli.stderr);
    assert.equal(Number((JSON.parse(cli.stdout) as { count?: string | number }).count), counted.count);
    const human = await run(['count', '--query', byType(), '--group-by', 'ExecutionStatus']);
    assert.match(human.stdout, /ExecutionStatus +count\n.*RUNNING +3\n.*TERMINATED +2\n5 in all/);
  });

  it('explains a query the server rejects in one line: its parse error, a field that is not a search attribute, a grouping it cannot do', async () => {
    const unknown = await run(['list', '--query', 'NoSuchField = "x"']);
    assert.equal(unknown.exitCode, 2);
    assert.match(
      unknown.stderr,
      /^✗ the server rejected the query "NoSuchField = \\"x\\"": invalid search attribute: NoSuchField\n {2}hint: NoSuchField is not a search attribute of this namespace/,
    );
    assert.ok(noStackTrace(unknown.stdout + unknown.stderr));
    const malformed = await run(['count', '--query', 'WorkflowType = ']);
    assert.equal(malformed.exitCode, 2);
    assert.match(malformed.stderr, /^✗ the server rejected the query "WorkflowType = ": .*syntax error/);
    assert.doesNotMatch(
      malformed.stderr,
      /position \d+/,
      "the server's position counts in its rewritten query: left out",
    );
    const grouping = await run(['count', '--group-by', 'WorkflowType', '--json']);
    assert.equal(grouping.exitCode, 2);
    const err = (JSON.parse(grouping.stdout) as { error: { message: string; hint: string } }).error;
    assert.match(err.message, /GROUP BY/);
    assert.equal(err.hint, 'the server groups only by ExecutionStatus: count --group-by ExecutionStatus');
    const notAField = await run(['count', '--group-by', 'Status; DROP']);
    assert.equal(notAField.exitCode, 2);
    assert.match(notAField.stderr, /--group-by takes a field name, not "Status; DROP"/);
  });
});
