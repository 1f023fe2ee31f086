// setup, doctor, config, server status/stop, project, help: the commands around the loop.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanup, declaredJson, FIXTURES, HELLO, makeEnv, tshell, type Env } from '../helpers/tshell.js';

describe('tooling commands', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
  });
  after(async () => cleanup(env));

  it('setup reports the pinned tools as up to date on a second run', async () => {
    const r = await tshell(['setup', '--json'], { env: env.env });
    assert.equal(r.exitCode, 0, r.stderr);
    const d = await declaredJson<{ action: string; temporal: string; uv: string }>('setup', r);
    assert.equal(d.action, 'up to date');
    assert.match(d.temporal, /temporal version 1\.9\.1/);
    assert.match(d.uv, /uv 0\.13\.8/);
  });

  it('clear clears only a terminal: off one it prints nothing', async () => {
    const r = await tshell(['clear'], { env: env.env });
    assert.equal(r.exitCode, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /not a terminal: nothing to clear/);
    const j = await declaredJson<{ cleared: boolean }>('clear', await tshell(['clear', '--json'], { env: env.env }));
    assert.equal(j.cleared, false);
  });

  it('config shows each value and where it came from', async () => {
    const r = await tshell(['config', '--namespace', 'from-flag', '--json'], {
      env: { ...env.env, TSHELL_WORKER_CMD: 'uv run my-worker' },
    });
    const d = await declaredJson<{ settings: { name: string; value: string; source: string }[] }>('config', r);
    const by = new Map(d.settings.map((s) => [s.name, s]));
    assert.deepEqual([by.get('namespace')?.value, by.get('namespace')?.source], ['from-flag', 'flag']);
    assert.deepEqual(
      [by.get('workerCmd')?.value, by.get('workerCmd')?.source],
      ['uv run my-worker', 'env TSHELL_WORKER_CMD'],
    );
    assert.deepEqual([by.get('address')?.value, by.get('address')?.source], [env.address, 'env TEMPORAL_ADDRESS']);
    assert.equal(by.get('starterCmd')?.source, 'discovered src/hello/starter.py:15');
    assert.equal(by.get('projectDir')?.value, HELLO);
  });

  it('doctor shows ✗ for the server with the command that fixes it, then ✓ once it runs', async () => {
    const down = await tshell(['doctor'], { env: env.env });
    assert.equal(down.exitCode, 1);
    assert.match(down.stdout, /✗ server .*not reachable\n\s+fix: tshell ensure-server/);
    assert.match(down.stdout, /✓ temporal .*1\.9\.1/);
    assert.match(down.stdout, /✓ project .*hello/);
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
    const up = await tshell(['doctor', '--json'], { env: env.env });
    const d = await declaredJson<{ checks: { name: string; ok: boolean; unchecked?: boolean; detail: string }[] }>(
      'doctor',
      up,
    );
    assert.equal(up.exitCode, 0);
    assert.ok(
      d.checks.filter((c) => c.name !== 'temporalio').every((c) => c.ok),
      JSON.stringify(d.checks),
    );
    // Asked of the project's own .venv when it has one; with none, not checked (never `uv run`, which would make one).
    const temporalio = d.checks.find((c) => c.name === 'temporalio');
    const { existsSync } = await import('node:fs');
    if (existsSync(join(HELLO, '.venv'))) assert.equal(temporalio?.ok, true, temporalio?.detail);
    else
      assert.deepEqual(
        [temporalio?.ok, temporalio?.unchecked, existsSync(join(HELLO, '.venv'))],
        [false, true, false],
        temporalio?.detail,
      );
  });

  it('server status names the server tshell started; server stop stops it and keeps the database', async () => {
    const st = await tshell(['server', 'status', '--json'], { env: env.env });
    const d = await declaredJson<{ reachable: boolean; managed: { pid: number; dbFile: string } }>('server', st);
    assert.equal(d.reachable, true);
    assert.ok(d.managed.pid > 0);
    const again = await tshell(['ensure-server'], { env: env.env });
    assert.match(again.stdout, /reusing the Temporal server .* \(started by tshell, pid \d+\)/);
    const stop = await tshell(['server', 'stop', '--yes'], { env: env.env });
    assert.equal(stop.exitCode, 0);
    assert.match(stop.stdout, /stopped \(SIGTERM\)/);
    const after = await tshell(['server', 'status'], { env: env.env });
    assert.equal(after.exitCode, 1);
    assert.match(after.stdout, /is not reachable/);
    const { existsSync } = await import('node:fs');
    assert.ok(existsSync(d.managed.dbFile), 'the database file persists');
    const notOurs = await tshell(['server', 'stop'], { env: env.env });
    assert.match(notOurs.stdout, /no server started by tshell is running at this address/);
  });

  it('project switches the session project for the following lines', async () => {
    const script = `project\nproject ${join(FIXTURES, 'outcomes')}\nproject --json\nconfig\n`;
    const r = await tshell([], { env: env.env, input: script });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /project hello \(/);
    assert.match(r.stdout, /"projectName": "outcomes"/);
    assert.match(r.stdout, /projectDir\s+--project-dir\s+\S+outcomes\s+session/);
  });

  it('help lists the groups and explains one command from the registry', async () => {
    const all = await tshell(['help'], { env: env.env });
    for (const group of ['Server', 'Workers', 'Workflows', 'Monitoring', 'Setup', 'Shell'])
      assert.match(all.stdout, new RegExp(`^${group}$`, 'm'));
    const one = await tshell(['help', 'wait'], { env: env.env });
    assert.match(one.stdout, /usage: wait \[--id ID\]/);
    assert.match(one.stdout, /-w, --id, --workflow-id ID/);
    assert.match(one.stdout, /--status STATUS\s+the status to wait for \(RUNNING\|COMPLETED/);
    const viaFlag = await tshell(['wait', '--help'], { env: env.env });
    assert.equal(viaFlag.stdout, one.stdout);
    const json = await tshell(['help', 'stalled', '--json'], { env: env.env });
    await declaredJson('help', json);
  });
});
