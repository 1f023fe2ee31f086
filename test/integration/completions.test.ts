// The checked-in completion scripts loaded into the real shells: zsh driven in a pseudo-terminal
// (its completion system only runs inside the line editor), fish through its own `complete -C`.
// Commands, typos, flags and workflow ids complete, all answered by `tshell __complete`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { cleanup, inPty, makeEnv, ROOT, tshell, tshellOnPath, type Env } from '../helpers/tshell.js';

describe('completion scripts in zsh and fish', () => {
  let env: Env;
  let bin: string;
  let id: string;
  const path = () => `${bin}:${process.env.PATH}`;
  before(async () => {
    env = await makeEnv();
    bin = tshellOnPath();
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
    const started = await tshell(
      ['start', '--type', 'ApprovalWorkflow', '--task-queue', 'hello-tasks', '--id', 'zcompletion-target-1', '--json'],
      { env: env.env },
    );
    assert.equal(started.exitCode, 0, started.stderr);
    id = (JSON.parse(started.stdout) as { workflowId: string }).workflowId;
  });
  after(async () => {
    rmSync(bin, { recursive: true, force: true });
    await cleanup(env);
  });

  it('zsh: commands, a typo, a flag and a workflow id complete on Tab', async () => {
    const zdot = mkdtempSync(join(tmpdir(), 'tshell-zsh-'));
    writeFileSync(
      join(zdot, '.zshrc'),
      `fpath=(${join(ROOT, 'completions')} $fpath)\nautoload -U compinit && compinit -u -D\nPS1='zsh> '\n`,
    );
    try {
      const r = await inPty(
        ['zsh', '-i'],
        [
          { expect: 'zsh> $', send: 'tshell ensure-s\t' },
          // Ctrl-U clears the line (zsh does not print a new prompt), then the next line is typed.
          { expect: 'tshell ensure-server\\s*$', send: '\x15tshell stld\t' },
          { expect: 'tshell stalled\\s*$', send: '\x15tshell wait --statu\t' },
          { expect: 'tshell wait --status\\s*$', send: '\x15tshell result --id zcompletion-t\t' },
          { expect: `tshell result --id ${id}\\s*$`, send: '\x15exit\r' },
        ],
        { env: { ...env.env, ZDOTDIR: zdot, PATH: path() } },
      );
      assert.ok(r.ok, `step ${r.failedStep} failed:\n${JSON.stringify(r.transcript.slice(-300))}`);
    } finally {
      rmSync(zdot, { recursive: true, force: true });
    }
  });

  it('fish: the same through complete -C', async () => {
    const complete = async (line: string): Promise<string[]> => {
      const r = await execa(
        'fish',
        ['--no-config', '-c', `source ${join(ROOT, 'completions', 'tshell.fish')}; complete -C '${line}'`],
        { env: { ...process.env, ...env.env, PATH: path() }, reject: false },
      );
      assert.equal(r.exitCode, 0, String(r.stderr));
      return String(r.stdout)
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0] as string);
    };
    assert.deepEqual(await complete('tshell ensure-s'), ['ensure-server']);
    assert.ok((await complete('tshell stld')).includes('stalled'));
    assert.ok((await complete('tshell wait --statu')).includes('--status'));
    assert.ok((await complete('tshell result --id zcompletion-t')).includes(id));
    // Signal names seen in the workflow's history (no worker runs to declare them), query names too.
    assert.equal(
      (await tshell(['signal', 'approve', '--id', id, '--input', '"Ed"', '--yes'], { env: env.env })).exitCode,
      0,
    );
    assert.deepEqual(await complete(`tshell signal --id ${id} ap`), ['approve']);
    assert.deepEqual(await complete(`tshell query --id ${id} __st`), ['__stack_trace']);
  });
});
