// The tour on examples/hello in a real pseudo-terminal, with scripted answers: every part runs for
// real, the broken activity in the scratch copy is named by the wizard, fixed, and its next attempt
// passes. Off a terminal without --yes it runs nothing.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup, declaredJson, makeEnv, tshell, tshellInPty, type Env } from '../helpers/tshell.js';

describe('tour', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
  });
  after(async () => cleanup(env));

  it('off a terminal without --yes it explains and runs nothing', async () => {
    const r = await tshell(['tour', '--json'], { env: env.env });
    const d = await declaredJson<{ steps: { ran: boolean }[] }>('tour', r);
    assert.equal(d.steps.length, 6);
    assert.ok(d.steps.every((s) => !s.ran));
    assert.equal(
      (await tshell(['list-workers', '--json'], { env: env.env })).stdout.includes('"pid"'),
      false,
      'no worker was started',
    );
  });

  it('runs server, worker, workflow, then the wizard names the broken activity and the fix passes', async () => {
    const bugFile = join(env.stateDir, 'tour', 'hello-tour', 'src', 'hello', 'activities.py');
    const r = await tshellInPty(
      ['tour'],
      [
        { expect: '1/6 The server[\\s\\S]*do it', send: '\r' },
        { expect: '(start-dev at|reusing|already)[\\s\\S]*2/6 The worker[\\s\\S]*do it', send: '\r', timeout: 90 },
        { expect: 'worker ready in[\\s\\S]*3/6 A workflow[\\s\\S]*do it', send: '\r', timeout: 90 },
        { expect: 'COMPLETED[\\s\\S]*Hello, [\\s\\S]*4/6 Something broken[\\s\\S]*do it', send: '\r', timeout: 90 },
        { expect: 'marked # TOUR-BUG[\\s\\S]*5/6 The wizard[\\s\\S]*do it', send: '\r', timeout: 120 },
        { expect: 'activity-failing \\(error\\)[\\s\\S]*Run these steps now\\?', send: 'y\r', timeout: 90 },
        {
          expect: 'fix the activity code \\(press Enter when done\\)',
          exec: ['sed', '-i', '/# TOUR-BUG/d', bugFile],
          send: '\r',
        },
        {
          expect: '✓ re-check: activity compose_greeting passed on attempt \\d+ \\(event \\d+ ActivityTaskCompleted',
          timeout: 120,
        },
        { expect: '6/6 Clean up[\\s\\S]*do it', send: '\r' },
        { expect: 'tour done: 6 of 6 steps run' },
      ],
      { env: env.env, exitTimeout: 30 },
    );
    assert.ok(r.ok, `step ${r.failedStep} failed (exit code ${r.exitCode}):\n${r.transcript}`);
    assert.equal(r.exitCode, 0);
    // The server step names the real address and Web UI, not the defaults.
    assert.ok(r.transcript.includes(`gRPC on ${env.address}`), 'the real gRPC address');
    assert.doesNotMatch(r.transcript, /gRPC on 7233|Web UI on 8233/);
  });
});
