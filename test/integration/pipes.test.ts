// Programs drive tshell through pipes: lines run as they arrive (a FIFO, a coprocess), each answer is
// written before the next line is read, and --json gives exactly one JSON object per line.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, HELLO, cleanup, makeEnv, tshell, type Env } from '../helpers/tshell.js';

/** Collects a child's stdout and resolves when `pattern` has appeared (or rejects after `ms`). */
function reader(child: ChildProcessWithoutNullStreams) {
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    text: () => out,
    waitFor(pattern: RegExp, ms: number): Promise<number> {
      const started = Date.now();
      return new Promise((resolve, reject) => {
        const tick = setInterval(() => {
          if (pattern.test(out)) {
            clearInterval(tick);
            resolve(Date.now() - started);
          } else if (Date.now() - started > ms) {
            clearInterval(tick);
            reject(new Error(`no ${pattern} within ${ms} ms; got:\n${out}`));
          }
        }, 10);
      });
    },
  };
}

describe('pipes and JSON Lines', () => {
  let env: Env;
  before(async () => {
    env = await makeEnv();
  });
  after(async () => cleanup(env));

  it('answers a line written into a FIFO while the FIFO is still open', async () => {
    const fifo = join(env.stateDir, 'commands.fifo');
    execFileSync('mkfifo', [fifo]);
    // The FIFO is tshell's stdin (opened read-write here so that opening it does not block).
    const stdin = openSync(fifo, 'r+');
    const fromFifo = spawn(process.execPath, [BIN], {
      cwd: HELLO,
      env: { ...process.env, ...env.env },
      stdio: [stdin, 'pipe', 'pipe'],
    }) as unknown as ChildProcessWithoutNullStreams;
    closeSync(stdin);
    const out = reader(fromFifo);
    const writer = openSync(fifo, 'w');
    try {
      writeSync(writer, 'help\n');
      // Answered while the writer still holds the FIFO open: no end of input was needed.
      await out.waitFor(/ensure-server/, 30_000);
      assert.equal(fromFifo.exitCode, null, 'still running: the FIFO is open');
    } finally {
      closeSync(writer);
      fromFifo.kill('SIGKILL');
    }
  });

  it('a coprocess sends ensure-server, waits for its answer, then list-workers', async () => {
    const child = spawn(process.execPath, [BIN, '--json'], {
      cwd: HELLO,
      env: { ...process.env, ...env.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = reader(child);
    try {
      child.stdin.write('ensure-server --headless\n');
      await out.waitFor(/"command":"ensure-server"/, 120_000);
      const first = JSON.parse(out.text().trim().split('\n')[0] ?? '') as {
        line: number;
        exitCode: number;
        data: { address: string };
      };
      assert.equal(first.line, 1);
      assert.equal(first.exitCode, 0, out.text());
      assert.equal(first.data.address, env.address);
      child.stdin.write('list-workers\n');
      await out.waitFor(/"command":"list-workers"/, 10_000);
      child.stdin.end();
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      assert.equal(code, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('--json in a script prints one parseable object per input line, errors, blank and comment lines included', async () => {
    const r = await tshell(['--json', '--keep-going'], {
      env: env.env,
      input: 'config\n\n# a comment\nnosuch-command\nwait --id "unclosed\nlist-workers\nresult --id no-such-workflow\n',
    });
    const lines = r.stdout.trim().split('\n');
    const parsed = lines.map(
      (l) =>
        JSON.parse(l) as {
          line: number;
          command: string;
          exitCode: number;
          data?: unknown;
          error?: { code: string; message: string; hint?: string };
        },
    );
    assert.deepEqual(
      parsed.map((p) => [p.line, p.command, p.exitCode]),
      [
        [1, 'config', 0],
        [2, '', 0],
        [3, '', 0],
        [4, 'nosuch-command', 2],
        [5, '', 2],
        [6, 'list-workers', 0],
        [7, 'result', 2],
      ],
    );
    assert.ok(parsed[0]?.data && typeof parsed[0].data === 'object');
    assert.deepEqual(
      parsed.slice(1, 3).map((p) => (p as { skipped?: string }).skipped),
      ['blank', 'comment'],
    );
    assert.match(parsed[3]?.error?.message ?? '', /unknown command: nosuch-command/);
    assert.match(parsed[4]?.error?.message ?? '', /unterminated double quote/);
    assert.match(parsed[6]?.error?.message ?? '', /no-such-workflow not found/);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /5 commands, 2 ok, 3 failed/);
  });

  it('ids are never cut off a terminal', async () => {
    const h = await tshell(['--json'], { env: env.env, input: 'ensure-server --headless\n' });
    assert.equal(h.exitCode, 0, h.stderr);
    const id = `a-very-long-workflow-id-that-a-script-must-copy-whole-${Date.now()}`;
    const s = await tshell(['start', '--type', 'Nothing', '--task-queue', 'nowhere', '--id', id], { env: env.env });
    assert.equal(s.exitCode, 0, s.stderr);
    const r = await tshell(['recent'], { env: env.env });
    assert.ok(r.stdout.includes(id), r.stdout);
    await tshell(['terminate', '--id', id, '--yes'], { env: env.env });
  });
});

describe('temporal shell', () => {
  it('the pinned temporal CLI runs tshell as `temporal shell` (its extension convention)', async () => {
    const { mkdtempSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { dirname } = await import('node:path');
    const { execa } = await import('execa');
    const { ROOT } = await import('../helpers/tshell.js');
    const bin = mkdtempSync(join(tmpdir(), 'tshell-ext-'));
    symlinkSync(join(ROOT, 'bin', 'temporal-shell.cjs'), join(bin, 'temporal-shell'));
    const temporal = join(ROOT, '.tools', 'venv', 'bin', 'temporal');
    const r = await execa(temporal, ['shell', 'help', 'wait'], {
      reject: false,
      cwd: HELLO,
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, NO_COLOR: '1' },
    });
    assert.equal(r.exitCode, 0, String(r.stderr));
    assert.match(String(r.stdout), /^wait/);
    assert.match(String(r.stdout), /usage: wait/);
  });
});
