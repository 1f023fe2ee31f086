// tryLock, behind "one warm helper per state dir", with real processes: a live holder keeps it, a
// killed one's lock is taken over, and of two processes that claim it together exactly one gets it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { releaseLock, tryLock } from '../../src/processes/lock.js';

const LOCK_MODULE = fileURLToPath(new URL('../../src/processes/lock.ts', import.meta.url));

/** A process that claims the lock `name`, prints whether it got it, and holds on until its stdin closes. */
function claimer(stateDir: string, name: string): { child: ChildProcess; answer: Promise<string> } {
  const script = `import { tryLock } from ${JSON.stringify(LOCK_MODULE)};
process.stdout.write(tryLock(${JSON.stringify(stateDir)}, ${JSON.stringify(name)}, 'a test') ? 'held\\n' : 'refused\\n');
process.stdin.resume(); process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answer = new Promise<string>((resolve) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return { child, answer };
}

const end = async (child: ChildProcess) => {
  child.stdin?.end();
  if (child.exitCode === null) await once(child, 'exit');
};

describe('the one-per-state-dir lock', () => {
  it("a live holder keeps it; a killed holder's lock is taken over; released, it is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tshell-lock-'));
    const file = join(dir, 'locks', 'helper.lock');
    const a = claimer(dir, 'helper');
    assert.equal(await a.answer, 'held');
    assert.equal(tryLock(dir, 'helper', 'a test'), false, 'held by a live process');
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');
    assert.ok(existsSync(file), 'SIGKILL leaves the lock behind');
    assert.equal(tryLock(dir, 'helper', 'a test'), true, 'its holder is gone');
    releaseLock(dir, 'helper');
    assert.ok(!existsSync(file));
  });

  it('of two processes claiming it at once, exactly one gets it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tshell-lock-'));
    for (let round = 0; round < 5; round++) {
      const pair = [claimer(dir, `round-${round}`), claimer(dir, `round-${round}`)];
      const answers = await Promise.all(pair.map((p) => p.answer));
      assert.deepEqual(answers.sort(), ['held', 'refused'], `round ${round}`);
      await Promise.all(pair.map((p) => end(p.child)));
    }
  });
});
