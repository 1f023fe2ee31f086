import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allCommands } from '../../src/commands/registry.js';
import { allFlags } from '../../src/shell/args.js';
import { complete } from '../../src/shell/completion.js';
import { bestMatches } from '../../src/shell/suggest.js';

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
  it('completes command prefixes and typos', () => {
    assert.deepEqual(complete('ensure-s')[0], ['ensure-server']);
    assert.ok(complete('ensr')[0].includes('ensure-server'));
    assert.ok(complete('wiat')[0].includes('wait'));
  });
  it("completes the command's flags", () => {
    assert.deepEqual(complete('wait --stat')[0], ['--status', '--state-dir']);
    assert.ok(complete('wait --timout')[0].includes('--timeout'));
  });
  it('suggests commands for an unknown one', () => {
    assert.equal(bestMatches('descrbe', ['describe', 'result', 'wait'])[0], 'describe');
    assert.deepEqual(bestMatches('zzzzzz', ['describe', 'wait']), []);
  });
});

describe('the --json field declarations', () => {
  it('exist for every data command and are documented in README.md', async () => {
    const { readFileSync } = await import('node:fs');
    const { replaceJsonDoc } = await import('../../src/commands/docs.js');
    for (const c of allCommands().filter((x) => !x.hidden && x.name !== 'exit')) assert.ok(c.fields && Object.keys(c.fields).length > 0, `${c.name} declares no --json fields`);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(readme, replaceJsonDoc(readme), 'README.md JSON section is stale: run `npm run docs`');
  });
});
