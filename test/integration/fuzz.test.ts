// 10,000 random and mutated lines (fixed seed) through the REPL and through stdin script mode, with
// the server down: no crash, no stack trace, every line answered by a result or one error line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BIN, freePort, noStackTrace } from '../helpers/tshell.js';
import { fuzzLines } from '../helpers/fuzz.js';
import { runRepl } from '../../src/shell/repl.js';
import { memorySessions } from '../../src/shell/context.js';
import { splitLine } from '../../src/cli-model/line.js';
import { parseCommandArgs } from '../../src/cli-model/args.js';
import { findCommand } from '../../src/commands/registry.js';
import { TshellError } from '../../src/errors.js';
import type { ShellRuntime } from '../../src/shell/execute.js';

const COUNT = 10_000;

describe('fuzzing the parser, the REPL and script mode (server down)', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tshell-fuzz-'));
    env = {
      TSHELL_STATE_DIR: join(dir, 'state'),
      TSHELL_PROJECT_DIR: dir,
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      TEMPORAL_CLI: join(dir, 'no-such-temporal'),
      TSHELL_WORKER_CMD: 'tshell-fuzz-no-such-worker',
      TSHELL_STARTER_CMD: 'tshell-fuzz-no-such-starter',
      TEMPORAL_CONFIG_FILE: join(dir, 'none.toml'),
      NO_COLOR: '1',
    };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the line parser and flag parser only ever throw tshell errors', () => {
    let usage = 0;
    for (const line of fuzzLines(COUNT, 7)) {
      try {
        const [name, ...rest] = splitLine(line);
        const cmd = findCommand(name ?? '');
        if (cmd) parseCommandArgs(cmd, rest);
      } catch (err) {
        assert.ok(err instanceof TshellError, `${JSON.stringify(line)} → ${String(err)}`);
        usage++;
      }
    }
    assert.ok(usage > 1000, 'the fuzzer does reach the error paths');
  });

  it(`stdin script mode answers all ${COUNT} lines`, async () => {
    const lines = fuzzLines(COUNT, 11);
    const outFile = join(dir, 'script.out');
    const fd = openSync(outFile, 'w');
    const child = spawn(process.execPath, [BIN, '--keep-going'], {
      cwd: dir,
      env: { ...process.env, ...env, PATH: join(dir, 'no-bin'), TSHELL_TOOLS_DIR: join(dir, 'no-tools') },
      stdio: ['pipe', fd, fd],
    });
    closeSync(fd);
    setTimeout(() => child.kill('SIGKILL'), 300_000).unref(); // never outlive the test
    child.stdin!.end(`${lines.join('\n')}\n`);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const out = readFileSync(outFile, 'utf8');
    assert.ok(code === 1 || code === 2 || code === 0, `exit ${code}`);
    assert.ok(
      noStackTrace(out),
      out
        .split('\n')
        .filter((l) => /^\s+at /.test(l))
        .slice(0, 5)
        .join('\n'),
    );
    assert.doesNotMatch(out, /TSHELL-INTERNAL|this looks like a tshell bug/);
    const expected = lines.filter((l) => l.trim() && !l.trim().startsWith('#')).length;
    const echoed = out.split('\n').filter((l) => l.startsWith('› ')).length;
    assert.equal(echoed, expected);
    // Each echoed command is followed by an answer before the next one.
    const blocks = out.split(/^› .*$/m).slice(1);
    const unanswered = blocks.filter((b) => b.trim() === '').length;
    assert.equal(unanswered, 0, `${unanswered} lines got no answer`);
    assert.match(out, new RegExp(`${expected} commands, \\d+ ok, \\d+ failed`));
  });

  it(`the REPL answers ${COUNT} lines and stays alive`, async () => {
    // Relative paths in the fuzzed flags resolve inside the temp dir, and no real tool can be found
    // (a fuzzed `--temporal-cli ''` must not fall back to a real temporal binary and start a server).
    const cwd = process.cwd();
    const saved = { PATH: process.env.PATH, TSHELL_TOOLS_DIR: process.env.TSHELL_TOOLS_DIR };
    process.chdir(dir);
    process.env.PATH = join(dir, 'no-bin');
    process.env.TSHELL_TOOLS_DIR = join(dir, 'no-tools');
    try {
      const input = new PassThrough();
      const output = new PassThrough();
      let text = '';
      output.on('data', (d) => (text += d));
      const shell: ShellRuntime = {
        stdout: { write: (t: string) => (text += t) },
        stderr: { write: (t: string) => (text += t) },
        env: { ...process.env, ...env },
        interactive: false,
        overrides: {},
        launchFlags: {},
        sessions: memorySessions(),
      };
      const done = runRepl({ input, output, shell, terminal: false });
      const lines = fuzzLines(COUNT, 23);
      input.end(`${lines.join('\n')}\nhelp\n`);
      assert.equal(await done, 0);
      assert.ok(noStackTrace(text));
      assert.doesNotMatch(text, /TSHELL-INTERNAL|this looks like a tshell bug/);
      assert.match(text.slice(-3000), /Monitoring\n/, 'help still answered after the fuzz');
    } finally {
      process.chdir(cwd);
      process.env.PATH = saved.PATH;
      if (saved.TSHELL_TOOLS_DIR === undefined) delete process.env.TSHELL_TOOLS_DIR;
      else process.env.TSHELL_TOOLS_DIR = saved.TSHELL_TOOLS_DIR;
    }
  });
});
