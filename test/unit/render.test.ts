import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, table, toJson } from '../../src/render/format.js';
import { colorWanted, loadColors, makeStyle } from '../../src/render/style.js';
import { formatError } from '../../src/render/errors.js';
import { ConnectionError, toTshellError } from '../../src/errors.js';
import { findCommand } from '../../src/commands/registry.js';
import { parseCommandArgs } from '../../src/cli-model/args.js';

const plain = makeStyle(false);

describe('rendering', () => {
  it('formats durations', () => {
    assert.equal(formatDuration(450), '450ms');
    assert.equal(formatDuration(2500), '2.5s');
    assert.equal(formatDuration(125_000), '2m05s');
    assert.equal(formatDuration(3 * 3_600_000 + 60_000), '3h01m');
  });
  it('respects NO_COLOR, --no-color and non-TTY output', async () => {
    assert.equal(colorWanted({ isTTY: true }, {}, false), true);
    assert.equal(colorWanted({ isTTY: true }, { NO_COLOR: '1' }, false), false);
    assert.equal(colorWanted({ isTTY: true }, {}, true), false);
    assert.equal(colorWanted({ isTTY: false }, {}, false), false);
    assert.doesNotMatch(table(plain, ['a'], [['x']]), /\u001b\[/);
    await loadColors(true);
    assert.match(makeStyle(true).c.red('x'), /\u001b\[31m/);
  });
  it('renders an error as one line plus a hint, no stack', () => {
    const text = formatError(new ConnectionError('localhost:7233', 'connection refused'), plain);
    assert.equal(text, '✗ cannot reach Temporal at localhost:7233 (connection refused)\n  hint: run `ensure-server` to start a local dev server, or pass --address');
    const internal = toTshellError(new TypeError('x is undefined\n    at foo (a.js:1:1)'));
    assert.equal(internal.message, 'x is undefined');
  });
  it('writes bigint and Long-like values as numbers in JSON', () => {
    assert.equal(toJson({ a: 5n, b: { low: 7, high: 0, unsigned: false, toString: () => '7' } }), '{\n  "a": 5,\n  "b": 7\n}');
  });
  it('renders results of the wait command for each outcome', () => {
    const wait = findCommand('wait')!;
    const args = parseCommandArgs(wait, []);
    const base = { workflowId: 'w1', targetStatus: 'COMPLETED', waitedMs: 1200 };
    assert.equal(wait.render({ ...base, status: 'COMPLETED', reached: true, timedOut: false }, plain, args), '✓ w1 is COMPLETED (waited 1.2s)');
    assert.match(wait.render({ ...base, status: 'RUNNING', reached: false, timedOut: true }, plain, args) as string, /did not reach COMPLETED within 1.2s \(still RUNNING\)/);
    assert.equal(wait.exitCode?.({ ...base, status: 'FAILED', reached: false, timedOut: false }, args), 1);
  });
});
