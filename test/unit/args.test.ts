import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandArgs, parseJsonFlag } from '../../src/cli-model/args.js';
import { findCommand } from '../../src/commands/registry.js';
import { splitLine } from '../../src/cli-model/line.js';
import { failureLines, splitCommand } from '../../src/processes/spawn.js';
import { parseDuration } from '../../src/commands/resolve.js';
import { TshellError } from '../../src/errors.js';

const wait = findCommand('wait')!;
const start = findCommand('start')!;

describe('flag parsing from the registry', () => {
  it('applies defaults and converts types', () => {
    const a = parseCommandArgs(wait, []);
    assert.equal(a.flags.status, 'COMPLETED');
    assert.equal(a.flags.timeout, 60);
    const b = parseCommandArgs(wait, ['--timeout', '5', '--status', 'running']);
    assert.equal(b.flags.timeout, 5);
    assert.equal(b.flags.status, 'RUNNING');
  });

  it('accepts the Temporal CLI spellings of a workflow id', () => {
    for (const words of [['--id', 'a'], ['-w', 'a'], ['--workflow-id', 'a'], ['--workflow-id=a']]) {
      assert.equal(parseCommandArgs(wait, words).flags.id, 'a', words.join(' '));
    }
  });

  it('takes global flags on every command', () => {
    const a = parseCommandArgs(wait, ['--json', '--namespace', 'ns', '--project-dir', '/tmp', '-y']);
    assert.equal(a.flags.json, true);
    assert.equal(a.flags.namespace, 'ns');
    assert.equal(a.flags['project-dir'], '/tmp');
    assert.equal(a.flags.yes, true);
  });

  it('rejects unknown flags with a suggestion', () => {
    assert.throws(
      () => parseCommandArgs(wait, ['--stat', 'X']),
      (e: TshellError) => /unknown flag --stat/.test(e.message) && /--status/.test(e.hint ?? ''),
    );
  });

  it('rejects a value outside the choices, and a non-number', () => {
    assert.throws(() => parseCommandArgs(wait, ['--status', 'DONE']), /must be one of/);
    assert.throws(() => parseCommandArgs(wait, ['--timeout', 'x']), /needs a number/);
    assert.throws(() => parseCommandArgs(wait, ['--timeout']), /needs a value/);
  });

  it('parses repeated JSON inputs and rejects malformed JSON with the position', () => {
    const a = parseCommandArgs(start, ['--input', '"Ada"', '--input', '{"n": 1}']);
    assert.deepEqual(a.flags.input, ['Ada', { n: 1 }]);
    assert.throws(
      () => parseJsonFlag('--input', '{"a": }'),
      (e: TshellError) => e.exitCode === 2 && /not valid JSON at position 6/.test(e.message),
    );
    assert.throws(() => parseJsonFlag('--input', '[1, 2'), /at position 5/);
    assert.throws(() => parseJsonFlag('--input', '{"a": 1} x'), /at position 9/);
    assert.throws(() => parseJsonFlag('--input', "{'a': 1}"), /at position 1/);
  });

  it('refuses extra positionals', () => {
    assert.throws(() => parseCommandArgs(wait, ['extra']), /unexpected argument "extra"/);
  });
});

describe('line and command splitting (no shell involved)', () => {
  it('keeps quoted JSON together', () => {
    assert.deepEqual(splitLine(`start --input '{"a": "b c"}'`), ['start', '--input', '{"a": "b c"}']);
    assert.deepEqual(splitLine('wait   --status COMPLETED # comment'), ['wait', '--status', 'COMPLETED']);
  });
  it('refuses shell operators instead of running them', () => {
    assert.throws(() => splitLine('result | rm -rf /'), /shell operators are not supported/);
    assert.throws(() => splitCommand('uv run worker && rm -rf ~', 'worker command'), /must be a plain command/);
  });
  it('splits worker commands with quotes', () => {
    assert.deepEqual(splitCommand(`uv run python -m "my app"`, 'w'), ['uv', 'run', 'python', '-m', 'my app']);
  });
  it('parses durations', () => {
    assert.equal(parseDuration('30s', '--t'), 30_000);
    assert.equal(parseDuration('5m', '--t'), 300_000);
    assert.equal(parseDuration('250ms', '--t'), 250);
    assert.equal(parseDuration('2', '--t'), 2000);
    assert.throws(() => parseDuration('soon', '--t'), /needs a duration/);
  });
});

describe('line errors', () => {
  it('reports unterminated quotes and lines with nothing to run', () => {
    assert.throws(() => splitLine(`start --input '{"a": 1}`), /unterminated single quote/);
    assert.throws(() => splitLine(`"#abc`), /unterminated double quote/);
    assert.deepEqual(splitLine(`wait # it's fine`), ['wait']);
    assert.deepEqual(splitLine(`signal x --input 'it"s'`), ['signal', 'x', '--input', 'it"s']);
  });
});

describe('flag types from the specs', () => {
  it('types each flag from its spec (checked by tsc) and the parser produces those values', async () => {
    const { defineCommand } = await import('../../src/cli-model/types.js');
    let seen:
      | { timeout: number; status: 'A' | 'B' | undefined; input: unknown[] | undefined; follow: boolean | undefined }
      | undefined;
    const cmd = defineCommand({
      name: 'typed',
      group: 'shell',
      effect: 'read',
      summary: 'a command to check flag typing',
      flags: [
        { name: 'timeout', type: 'number', default: 5, description: 'seconds' },
        { name: 'status', type: 'string', choices: ['A', 'B'], description: 'one of two' },
        { name: 'input', type: 'json', multiple: true, description: 'json' },
        { name: 'follow', type: 'boolean', description: 'follow' },
      ],
      async run(_ctx, args) {
        // Each assignment compiles only because the flag's type is inferred from its spec.
        const timeout: number = args.flags.timeout;
        const status: 'A' | 'B' | undefined = args.flags.status;
        const input: unknown[] | undefined = args.flags.input;
        const follow: boolean | undefined = args.flags.follow;
        seen = { timeout, status, input, follow };
        return seen;
      },
      render: () => '',
    });
    const args = parseCommandArgs(cmd, ['--status', 'b', '--input', '{"a":1}', '--input', '2', '--follow']);
    await cmd.run({} as never, args);
    assert.deepEqual(seen, { timeout: 5, status: 'B', input: [{ a: 1 }, 2], follow: true });
  });
});

describe('why a process died while starting', () => {
  it("shows a Go panic's message, not only the goroutine dump under it", () => {
    const dump = Array.from({ length: 40 }, (_, i) =>
      i % 2 ? `\t/home/runner/go/pkg/mod/x.go:${i} +0x1` : `main.f${i}(...)`,
    );
    const lines = [
      'Temporal CLI 1.9.1',
      'panic: listen tcp 127.0.0.1:41234: bind: address already in use',
      '',
      'goroutine 1 [running]:',
      ...dump,
    ];
    const shown = failureLines(lines);
    assert.equal(shown[0], 'panic: listen tcp 127.0.0.1:41234: bind: address already in use');
    assert.deepEqual(shown.slice(-6), dump.slice(-6));
    assert.equal(shown.length, 8);
    // Error-level log lines count too; without any, the plain tail.
    assert.match(
      failureLines(['time=1 level=INFO msg=up', 'time=2 level=ERROR msg="Failed to start gRPC listener"', 'exit'])[0] ??
        '',
      /level=ERROR/,
    );
    assert.deepEqual(failureLines(['a', 'b', 'c'], 2), ['b', 'c']);
  });
});

describe('a dev server that died while starting', async () => {
  const { worthAnotherStart } = await import('../../src/processes/server.js');
  it('is started once more after a panic or a lost internal port, not when a checked port is taken', () => {
    assert.equal(
      worthAnotherStart(['panic: listen tcp 127.0.0.1:40001: bind: address already in use', 'goroutine 1 [running]:']),
      true,
    );
    assert.equal(
      worthAnotherStart([
        'time=1 level=ERROR msg="Failed to start gRPC listener" error="listen tcp 127.0.0.1:40002: bind: address already in use"',
      ]),
      true,
    );
    assert.equal(
      worthAnotherStart(["Error: can't set UI port 8233: listen tcp 127.0.0.1:8233: bind: address already in use"]),
      false,
    );
    assert.equal(worthAnotherStart(['Error: unable to open database file']), false);
  });
});
