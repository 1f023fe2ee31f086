// A launch without a command word: one parse decides REPL, script, version or help, for the
// launcher's first prompt and for cli.ts alike; the first prompt is drawn only for the REPL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { parseLaunch } from '../../src/shell/launch.js';
import { drawFirstPrompt } from '../../src/shell/first-prompt.js';

const stateDir = mkdtempSync(join(tmpdir(), 'tshell-launch-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));

function capture(): Writable & { text: string } {
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  out.text = '';
  return out;
}

describe('launch', () => {
  it('reads the mode, the settings given as flags and the launch flags', () => {
    const repl = parseLaunch(['-i', '--namespace', 'orders', '--no-color', '--yes']);
    assert.equal(repl.mode, 'repl');
    assert.deepEqual(repl.overrides, { namespace: 'orders' });
    assert.deepEqual(repl.flags, { json: false, yes: true, noColor: true });
    assert.deepEqual(parseLaunch(['--file', 'x.tsh', '--keep-going', '-i']), {
      mode: 'script',
      file: 'x.tsh',
      keepGoing: true,
      overrides: {},
      flags: { json: false, yes: false, noColor: false },
    });
    assert.equal(parseLaunch(['-v', '-i']).mode, 'version');
    assert.equal(parseLaunch(['--help']).mode, 'help');
  });

  it('a flag that is none is one usage error with the usage line', () => {
    assert.throws(
      () => parseLaunch(['--bogus']),
      (e: unknown) => e instanceof UsageError && /'--bogus'/.test(e.message) && /usage: tshell/.test(e.hint ?? ''),
    );
  });

  it('draws the banner and the prompt only for the REPL, and returns the prompt it drew', async () => {
    const env = { TSHELL_STATE_DIR: stateDir, NO_COLOR: '1' };
    const out = capture();
    const drawn = await drawFirstPrompt(['-i', '--namespace', 'orders'], out, env);
    assert.ok(drawn?.includes('orders') && drawn.endsWith('› '), drawn);
    assert.match(out.text, /^tshell — the local Temporal loop\./);
    assert.ok(out.text.endsWith(drawn ?? '\0'), out.text);
    for (const argv of [['--version', '-i'], ['--bogus'], ['--file', 'x.tsh']]) {
      const none = capture();
      assert.equal(await drawFirstPrompt(argv, none, env), undefined, argv.join(' '));
      assert.equal(none.text, '', argv.join(' '));
    }
    const extension = capture();
    assert.equal(await drawFirstPrompt(['-i'], extension, { ...env, TSHELL_TEMPORAL_EXTENSION: '1' }), undefined);
    assert.equal(extension.text, '');
  });
});
