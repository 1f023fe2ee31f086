// The REPL in a real pseudo-terminal: questions asked with @inquirer/prompts (a destructive command
// asks, "no" changes nothing, "yes" acts), and the shell keeps its prompt, history and Tab afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cleanup, declaredJson, makeEnv, tshell, tshellInPty, type Env } from '../helpers/tshell.js';

describe('the REPL in a terminal', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
  });
  after(async () => cleanup(env));

  it('asks before terminating, keeps the workflow on "no", terminates on "yes", and the REPL goes on', async () => {
    const started = await tshell(['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--json'], {
      env: env.env,
    });
    assert.equal(started.exitCode, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
    const r = await tshellInPty(
      [],
      [
        { expect: 'Ctrl-D leaves' },
        { expect: '› $', send: 'terminate\r' },
        { expect: `terminate ${id}.*\\?.*\\(y/N\\)`, send: 'n\r' },
        { expect: 'terminate aborted: nothing was changed' },
        { expect: '› $', send: 'terminate --reason "from the pty"\r' },
        { expect: `terminate ${id}.*\\(y/N\\)`, send: 'y\r' },
        { expect: 'TERMINATED' },
        // Tab still completes after the questions (a fresh readline took over again).
        { expect: '› $', send: 'descr\t' },
        { expect: 'describe', send: '\r' },
        { expect: 'TERMINATED.*› $', send: 'exit\r' },
      ],
      { env: env.env },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    assert.equal(r.exitCode, 0);
    const d = await declaredJson<{ status: string }>(
      'describe',
      await tshell(['describe', '--id', id, '--json'], { env: env.env }),
    );
    assert.equal(d.status, 'TERMINATED');
  });

  it('Tab fixes a typo, completes a flag and a workflow id; Ctrl-C cancels a wait, not the shell; Ctrl-R finds history', async () => {
    const started = await tshell(
      ['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--id', 'approval-tab-1', '--json'],
      { env: env.env },
    );
    assert.equal(started.exitCode, 0, started.stderr);
    const r = await tshellInPty(
      [],
      [
        { expect: '› $', send: 'stld\t' },
        { expect: 'stalled$', send: '\x15' }, // Ctrl-U clears the line
        // One Tab on an empty value lists its choices, and the line stays as typed.
        { expect: '› $', send: 'wait --status \t' },
        { expect: 'RUNNING  COMPLETED  FAILED[^\n]*\r?\n.*› wait --status $', send: '\x15' },
        { expect: '› $', send: 'wait --statu\t' },
        { expect: 'wait --status$', send: ' RUNNING --id approval-t\t' },
        { expect: '--id approval-tab-1 ?$', send: '\r' },
        {
          expect: 'approval-tab-1 is RUNNING[\\s\\S]*› $',
          send: 'wait --id approval-tab-1 --status COMPLETED --timeout 600\r',
        },
        // A spinner with the elapsed time while it waits, then Ctrl-C.
        { expect: '[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] wait \\d+\\.\\ds', send: '\x03' },
        { expect: '\\^C \\(cancelling\\)[\\s\\S]*interrupted[\\s\\S]*› $', send: 'config\r' },
        { expect: 'TEMPORAL_ADDRESS|address[\\s\\S]*› $', send: '\x12' }, // Ctrl-R
        { expect: "reverse-i-search\\)`': ", send: 'wait --statu' },
        { expect: "reverse-i-search\\)`wait --statu': wait --status RUNNING --id approval-tab-1", send: '\r' },
        { expect: 'approval-tab-1 is RUNNING[\\s\\S]*› $', send: 'exit\r' },
      ],
      { env: env.env },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed:\n${r.transcript}`);
    assert.equal(r.exitCode, 0);
  });
});
