import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allCommands, registry } from '../../src/commands/registry.js';
import { allFlags } from '../../src/cli-model/args.js';
import { completeWords } from '../../src/cli-model/completion.js';
import { completionScript } from '../../src/commands/completions.js';
import { bestMatches } from '../../src/cli-model/suggest.js';

describe('the command registry', () => {
  it('has unique names and aliases', () => {
    const names = allCommands().flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length, names.join(' '));
  });
  for (const command of allCommands()) {
    it(`${command.name}: summary without a trailing period, no duplicate flags or shorts`, () => {
      assert.ok(command.summary.length > 10 && !command.summary.endsWith('.'), command.summary);
      const flags = allFlags(command);
      const longs = flags.flatMap((f) => [f.name, ...(f.aliases ?? [])]);
      assert.equal(new Set(longs).size, longs.length, longs.join(' '));
      const shorts = flags.map((f) => f.short).filter(Boolean);
      assert.equal(new Set(shorts).size, shorts.length, shorts.join(' '));
    });
  }
});

describe('completion and suggestions', () => {
  it('completes command prefixes and typos', async () => {
    assert.deepEqual(await completeWords(registry, ['ensure-s']), ['ensure-server']);
    // Not a prefix of anything: one best guess, so Tab replaces the word.
    assert.deepEqual(await completeWords(registry, ['ensr']), ['ensure-server']);
    assert.deepEqual(await completeWords(registry, ['stld']), ['stalled']);
    assert.deepEqual(await completeWords(registry, ['wiat']), ['wait']);
    assert.deepEqual(await completeWords(registry, ['diangose']), ['diagnose']);
  });
  it('completes --type and project folders from what the project defines', async () => {
    const values = async (command: string, slot: string) =>
      slot === 'type'
        ? ['OrderWorkflow', 'RefundWorkflow']
        : command === 'project' && slot === '<dir>'
          ? ['greeting_sample', 'timer_sample']
          : [];
    assert.deepEqual(await completeWords(registry, ['start', '--type', 'Re'], undefined, undefined, values), [
      'RefundWorkflow',
    ]);
    assert.deepEqual(await completeWords(registry, ['project', 'ti'], undefined, undefined, values), ['timer_sample']);
  });
  it('completes signal, update and query names from the workflow named by --id', async () => {
    const seen: unknown[] = [];
    const handlers = async (kind: string, id: string | undefined) => {
      seen.push([kind, id]);
      return kind === 'signal' ? ['approve', 'reject'] : ['status'];
    };
    assert.deepEqual(await completeWords(registry, ['signal', '--id', 'w-1', 'ap'], undefined, handlers), ['approve']);
    assert.deepEqual(await completeWords(registry, ['query', ''], undefined, handlers), ['status']);
    assert.deepEqual(seen, [
      ['signal', 'w-1'],
      ['query', undefined],
    ]);
  });
  it("completes the command's flags and their known values", async () => {
    assert.deepEqual(await completeWords(registry, ['wait', '--stat']), ['--status', '--state-dir']);
    assert.deepEqual(await completeWords(registry, ['wait', '--timout']), ['--timeout']);
    assert.deepEqual(await completeWords(registry, ['wait', '--status', 'CO']), ['COMPLETED', 'CONTINUED_AS_NEW']);
    assert.deepEqual(await completeWords(registry, ['server', '']), ['status', 'stop']);
    assert.deepEqual(await completeWords(registry, ['use', 'gr'], async () => ['greeting-1', 'other']), ['greeting-1']);
    assert.deepEqual(await completeWords(registry, ['result', '-w', ''], async () => ['a-1', 'b-2']), ['a-1', 'b-2']);
  });
  it('suggests commands for an unknown one', () => {
    assert.equal(bestMatches('descrbe', ['describe', 'result', 'wait'])[0], 'describe');
    assert.deepEqual(bestMatches('zzzzzz', ['describe', 'wait']), []);
  });
  it('keeps the checked-in completion scripts in step with the registry', async () => {
    const { readFileSync } = await import('node:fs');
    for (const [shell, file] of [
      ['bash', 'tshell.bash'],
      ['zsh', '_tshell'],
      ['fish', 'tshell.fish'],
    ] as const) {
      const checkedIn = readFileSync(new URL(`../../completions/${file}`, import.meta.url), 'utf8');
      assert.equal(
        checkedIn.trimEnd(),
        completionScript(registry, shell).trimEnd(),
        `completions/${file} is stale: run \`npm run completions\``,
      );
    }
  });
});

describe('the --json field declarations', () => {
  it('exist for every data command and are documented in README.md', async () => {
    const { readFileSync } = await import('node:fs');
    const { replaceJsonDoc } = await import('../../src/commands/docs.js');
    for (const c of allCommands().filter((x) => !x.hidden))
      assert.ok(c.fields && Object.keys(c.fields).length > 0, `${c.name} declares no --json fields`);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(readme, replaceJsonDoc(readme), 'README.md JSON section is stale: run `npm run docs`');
  });
});

describe('the words of a line being typed', async () => {
  const { lineWords } = await import('../../src/cli-model/completion.js');
  it('ends with one empty word after a space (Tab on an empty value)', () => {
    assert.deepEqual(lineWords('wait --status '), ['wait', '--status', '']);
    assert.deepEqual(lineWords('wait --stat'), ['wait', '--stat']);
    assert.deepEqual(lineWords(''), ['']);
  });
});
