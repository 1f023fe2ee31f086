// The whole local loop for real: dev server → fresh worker → start → wait → result → clean up,
// from a stdin script, from one-shot commands and from the REPL.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cleanup, HELLO as HELLO_DIR, makeEnv, noStackTrace, tshell, type Env } from '../helpers/tshell.js';

describe('the local loop on examples/hello', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
    const r = await tshell(['ensure-server', '--headless'], { env: env.env });
    assert.equal(r.exitCode, 0, r.stderr);
  });
  after(async () => cleanup(env));

  it('runs from a script piped on stdin and prints the greeting', async () => {
    const script = 'ensure-server\nensure-worker\nstart\nwait --status COMPLETED --timeout 60\nresult\nkill-worker\n';
    const r = await tshell([], { env: env.env, input: script });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /› ensure-server\n.*reusing the Temporal server/);
    assert.match(r.stdout, /worker ready in .* polls task queue hello-tasks/);
    assert.match(r.stdout, /› result\n.*COMPLETED\nHello, Temporal!/);
    assert.match(r.stderr, /6 commands, 6 ok/);
  });

  it('runs the same steps as one-shot commands, chained through the saved context', async () => {
    const steps = [
      ['ensure-server'],
      ['ensure-worker'],
      ['start'],
      ['wait', '--status', 'COMPLETED', '--timeout', '60'],
      ['result', '--json'],
      ['kill-worker'],
    ];
    const outputs: string[] = [];
    for (const step of steps) {
      const r = await tshell(step, { env: env.env });
      assert.equal(r.exitCode, 0, `${step.join(' ')}: ${r.stdout}${r.stderr}`);
      outputs.push(r.stdout);
    }
    const result = JSON.parse(outputs[4] ?? '') as { status: string; result: string; workflowId: string };
    assert.equal(result.status, 'COMPLETED');
    assert.equal(result.result, 'Hello, Temporal!');
    assert.match(outputs[2] ?? '', new RegExp(`started workflow ${result.workflowId}`));
  });

  it('runs in the REPL, whose prompt shows the workflow and the worker', async () => {
    const lines = 'ensure-worker\nstart\nwait --status COMPLETED\nresult\nexit --cleanup\n';
    const r = await tshell(['-i'], { env: env.env, input: lines });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Hello, Temporal!/);
    assert.match(r.stdout, /worker ▲/, 'prompt shows the worker up after ensure-worker');
    assert.match(r.stdout, /greeting-[0-9a-f]+ completed/, 'prompt shows the current workflow and its status');
    assert.match(r.stdout, /✓ stopped worker pid \d+/, 'exit --cleanup stopped the worker');
    const left = await tshell(['-i'], { env: env.env, input: 'ensure-worker\nexit\n' });
    assert.match(left.stdout, /1 worker still running for hello: `exit --cleanup`/);
    await tshell(['kill-worker'], { env: env.env });
    assert.ok(noStackTrace(r.stdout + r.stderr));
  });

  it('waits for a status and exits 1 when the workflow closes otherwise or time runs out', async () => {
    await tshell(['ensure-worker'], { env: env.env });
    const started = await tshell(
      ['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--input', '"Ada"', '--json'],
      { env: env.env },
    );
    assert.equal(started.exitCode, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
    const running = await tshell(['wait', '--status', 'RUNNING', '--timeout', '10'], { env: env.env });
    assert.equal(running.exitCode, 0, running.stderr);
    const timeout = await tshell(['wait', '--status', 'COMPLETED', '--timeout', '1', '--json'], { env: env.env });
    assert.equal(timeout.exitCode, 1);
    const data = JSON.parse(timeout.stdout) as { timedOut: boolean; status: string; workflowId: string };
    assert.equal(data.timedOut, true);
    assert.equal(data.status, 'RUNNING');
    assert.equal(data.workflowId, id);
    const describe = await tshell(['describe', '-w', id, '--json'], { env: env.env });
    assert.equal((JSON.parse(describe.stdout) as { type: string }).type, 'ApprovalWorkflow');
    await tshell(['kill-worker'], { env: env.env });
  });

  it('bash completion from completions/tshell.bash completes commands, flags and workflow ids', async () => {
    const { join } = await import('node:path');
    const { execa } = await import('execa');
    const { ROOT, tshellOnPath } = await import('../helpers/tshell.js');
    const bin = tshellOnPath();
    const started = JSON.parse(
      (
        await tshell(
          [
            'start',
            '--type',
            'ApprovalWorkflow',
            '--task-queue',
            'hello-tasks',
            '--input',
            '"Di"',
            '--id',
            'completion-target-1',
            '--json',
          ],
          { env: env.env },
        )
      ).stdout,
    ) as { workflowId: string };
    const complete = async (words: string[]) => {
      const script = `source ${join(ROOT, 'completions', 'tshell.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tshell; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = await execa('bash', ['-c', script], {
        env: { ...process.env, ...env.env, PATH: `${bin}:${process.env.PATH}` },
        cwd: HELLO_DIR,
        reject: false,
      });
      return String(r.stdout).split('\n').filter(Boolean);
    };
    const { readFileSync } = await import('node:fs');
    const printed = await tshell(['completions', 'bash'], { env: env.env });
    assert.equal(printed.stdout.trimEnd(), readFileSync(join(ROOT, 'completions', 'tshell.bash'), 'utf8').trimEnd());
    assert.deepEqual(await complete(['tshell', 'ensure-s']), ['ensure-server']);
    assert.ok((await complete(['tshell', 'stld'])).includes('stalled'));
    assert.deepEqual(await complete(['tshell', 'wait', '--stat']), ['--status', '--state-dir']);
    assert.ok((await complete(['tshell', 'result', '--id', 'completion-t'])).includes(started.workflowId));
    await tshell(['terminate', '--id', started.workflowId, '--yes'], { env: env.env });
  });
});
