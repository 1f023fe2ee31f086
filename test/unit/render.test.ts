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
    assert.equal(
      text,
      '✗ cannot reach Temporal at localhost:7233 (connection refused)\n  hint: run `ensure-server` to start a local dev server, or pass --address',
    );
    const internal = toTshellError(new TypeError('x is undefined\n    at foo (a.js:1:1)'));
    assert.equal(internal.message, 'x is undefined');
  });
  it('writes bigint and Long-like values as numbers in JSON', () => {
    assert.equal(
      toJson({ a: 5n, b: { low: 7, high: 0, unsigned: false, toString: () => '7' } }),
      '{\n  "a": 5,\n  "b": 7\n}',
    );
  });
  it('renders results of the wait command for each outcome', () => {
    const wait = findCommand('wait')!;
    const args = parseCommandArgs(wait, []);
    const base = { workflowId: 'w1', targetStatus: 'COMPLETED', waitedMs: 1200 };
    assert.equal(
      wait.render({ ...base, status: 'COMPLETED', reached: true, timedOut: false }, plain, args),
      '✓ w1 is COMPLETED (waited 1.2s)',
    );
    assert.match(
      wait.render({ ...base, status: 'RUNNING', reached: false, timedOut: true }, plain, args) as string,
      /did not reach COMPLETED within 1.2s \(still RUNNING\)/,
    );
    assert.equal(wait.exitCode?.({ ...base, status: 'FAILED', reached: false, timedOut: false }, args), 1);
  });
});

describe('tables on an 80-column terminal', async () => {
  const { table, fitWidths } = await import('../../src/render/format.js');
  const { makeStyle } = await import('../../src/render/style.js');
  const id = 'order-processing-workflow-with-a-long-id-2026-11-29';
  const rows = [
    [
      id,
      'OrderProcessingWorkflowWithALongName',
      'RUNNING',
      '2026-11-29 20:00:00',
      '1.2s',
      'a-rather-long-task-queue-name-for-orders',
    ],
  ];
  it('fits 80 columns by shrinking the wide columns, never the id', () => {
    const out = table(
      makeStyle(false, 80),
      ['workflow id', 'type', 'status', 'started', 'duration', 'task queue'],
      rows,
    );
    for (const line of out.split('\n')) assert.ok([...line].length <= 80, `${[...line].length}: ${line}`);
    assert.ok(out.includes(id), out);
    assert.match(out, /…/);
  });
  it('cuts nothing off a terminal', () => {
    const out = table(makeStyle(false), ['workflow id', 'type', 'status', 'started', 'duration', 'task queue'], rows);
    assert.ok(out.includes('a-rather-long-task-queue-name-for-orders') && !out.includes('…'));
    assert.equal(fitWidths([10, 10], 80, [0]), undefined);
  });
});

describe('ids in the prompt', async () => {
  const { middleId } = await import('../../src/render/format.js');
  it('are shortened from the middle, keeping the unique end', () => {
    assert.equal(middleId('greeting-49e83c96', 24), 'greeting-49e83c96');
    const cut = middleId('OrderProcessingWorkflow-2026-11-29-7f3a9c', 24);
    assert.equal([...cut].length, 24);
    assert.equal(cut, 'OrderProcess…1-29-7f3a9c');
  });
});

describe('word wrapping', async () => {
  const { wrapWords } = await import('../../src/render/format.js');
  it('breaks at spaces only, within the width', () => {
    const lines = wrapWords(
      'global flags: --json --yes --no-color --help --profile --address --namespace --temporal-cli',
      30,
      '  ',
    );
    assert.ok(
      lines.every((l) => l.length <= 30),
      lines.join('|'),
    );
    assert.ok(
      lines.slice(1).every((l) => l.startsWith('  --')),
      lines.join('|'),
    );
    assert.equal(
      lines.join(' ').replace(/\s+/g, ' '),
      'global flags: --json --yes --no-color --help --profile --address --namespace --temporal-cli',
    );
  });
});
