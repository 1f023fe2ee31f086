// JSON from outside the process is checked where it is read: a PID, lock or session file, a worker
// report, a helper frame of the wrong shape is treated as absent (or as a clear error), never cast.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as z from 'zod/mini';
import { parseChecked } from '../../src/checked-json.js';
import { readFrame } from '../../src/config/helper-protocol.js';
import { tryLock } from '../../src/processes/lock.js';
import { checkPidFile, readPidFile } from '../../src/processes/pidfile.js';
import { readWorkerReport } from '../../src/processes/worker-report.js';
import { TshellError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'tshell-outside-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const pidRecord = {
  kind: 'worker',
  pid: process.pid,
  startTicks: 1,
  argv: ['python', 'worker.py'],
  cwd: '/p',
  logFile: '/p/log',
  logOffset: 0,
  startedAt: '2026-12-01T00:00:00Z',
};

describe('JSON from outside, checked at the edge', () => {
  it('a PID file of the wrong shape is unreadable, not a process to trust', () => {
    const file = join(dir, 'w.pid');
    writeFileSync(file, JSON.stringify(pidRecord));
    assert.equal(readPidFile(file)?.pid, process.pid);
    writeFileSync(file, JSON.stringify({ ...pidRecord, pid: String(process.pid) }));
    assert.equal(readPidFile(file), undefined);
    assert.deepEqual(checkPidFile(file), { state: 'unreadable', file });
    writeFileSync(file, JSON.stringify({ ...pidRecord, argv: 'python worker.py' }));
    assert.equal(readPidFile(file), undefined);
  });

  it('a lock file of another shape holds nothing; a torn one is left to its writer', () => {
    const locks = join(dir, 'state', 'locks');
    mkdirSync(locks, { recursive: true });
    const file = join(locks, 'helper.lock');
    writeFileSync(file, JSON.stringify({ holder: 'someone' }));
    assert.equal(tryLock(join(dir, 'state'), 'helper', 'a test'), true, 'whole JSON that is no lock record is broken');
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, process.pid);
    rmSync(file);
    writeFileSync(file, '{"pid": 12');
    assert.equal(tryLock(join(dir, 'state'), 'helper', 'a test'), false, 'a lock being written is not taken');
    assert.ok(existsSync(file));
    rmSync(file);
  });

  it("a worker report keeps only lines of the hook's shape, and only string names", () => {
    const file = join(dir, 'report.jsonl');
    const lines = [
      { event: 'worker', pid: 41, taskQueue: 'orders', workflows: ['Order', null], activities: ['charge'], sdk: null },
      '{"event": "running", "pid": 41, "taskQu',
      { event: 'worker', pid: '41', taskQueue: 'spoofed', workflows: [], activities: [] },
      { event: 'running', pid: 41, taskQueue: 'orders', time: 1_700_000_000, files: ['/p/w.py', 3] },
    ];
    writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
    assert.deepEqual(readWorkerReport(file, new Set([41])), {
      pid: 41,
      taskQueue: 'orders',
      workflows: ['Order'],
      activities: ['charge'],
      state: 'running',
      runningAt: new Date(1_700_000_000_000).toISOString(),
      files: ['/p/w.py'],
      workflowFiles: [],
    });
  });

  it('helper frames: exactly one known key of the right type', () => {
    assert.deepEqual(readFrame('{"o":"hi\\n"}'), { o: 'hi\n' });
    assert.deepEqual(readFrame('{"x":0}'), { x: 0 });
    for (const bad of ['{"x":"0"}', '{"o":1}', '{"o":"a","x":0}', '[]', 'null', '{"x":1.5}', 'not json'])
      assert.equal(readFrame(bad), undefined, bad);
  });

  it('a helper output of the wrong shape is one error naming who said it and what was wrong', () => {
    const schema = z.object({ ok: z.boolean(), line: z.optional(z.number()) });
    assert.deepEqual(parseChecked(schema, '{"ok":false,"line":3}', "the source check's output"), {
      ok: false,
      line: 3,
    });
    assert.throws(
      () => parseChecked(schema, '{"ok":false,"line":"3"}', "the source check's output"),
      (e: unknown) =>
        e instanceof TshellError && /^the source check's output is not what tshell expects \(line: /.test(e.message),
    );
    assert.throws(
      () => parseChecked(schema, 'Traceback (most recent call last):', "the replayer's output"),
      /the replayer's output is not JSON: Traceback/,
    );
  });
});
