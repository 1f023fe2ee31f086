// Every command in the registry has an integration test: this walks the registry and looks for
// each command being run in test/integration/*.test.ts.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { allCommands } from '../../src/commands/registry.js';

const dir = new URL('../integration/', import.meta.url);
const sources = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => readFileSync(new URL(f, dir), 'utf8'))
  .join('\n');

describe('integration coverage of the registry', () => {
  for (const c of allCommands().filter((x) => !x.hidden)) {
    it(`${c.name} is run by an integration test`, () => {
      const name = c.name.replace(/[-]/g, '\\-');
      const asArg = new RegExp(`\\[\\s*'${name}'`);
      const inScript = new RegExp(`(^|\\\\n|['\`])${name}( |\\\\n)`);
      assert.ok(asArg.test(sources) || inScript.test(sources), `no integration test runs \`${c.name}\``);
    });
  }
});
