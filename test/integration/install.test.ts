// tshell as a user gets it from a registry: `npm pack`, then `npm install -g` of the tarball into a
// scratch prefix. The entries run from there on their own, and `tshell setup` puts the pinned tools
// in the user's data dir ($XDG_DATA_HOME/tshell/tools), never into the installed package's folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../helpers/tshell.js';

describe('installed from the npm pack tarball', () => {
  let scratch: string;
  let prefix: string;
  let env: Record<string, string>;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tshell-install-'));
    prefix = join(scratch, 'prefix');
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: ROOT });
    const tarball = join(scratch, packed.stdout.trim().split('\n').pop() ?? '');
    assert.ok(existsSync(tarball), tarball);
    const installed = await execa('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
      cwd: scratch,
      reject: false,
    });
    assert.equal(installed.exitCode, 0, installed.stderr);
    for (const d of ['home', 'data', 'state']) mkdirSync(join(scratch, d));
    // A user's environment: nothing of this checkout (no TSHELL_*, no .tools on the PATH).
    env = {
      PATH: process.env.PATH ?? '',
      HOME: join(scratch, 'home'),
      XDG_DATA_HOME: join(scratch, 'data'),
      XDG_STATE_HOME: join(scratch, 'state'),
      NO_COLOR: '1',
      TSHELL_HELPER: '0',
      UV_PYTHON_DOWNLOADS: 'never',
    };
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs its entries from the install, and setup fills the user data dir, not the package', async () => {
    const tshell = join(prefix, 'bin', 'tshell');
    const help = await execa(tshell, ['help'], { env, extendEnv: false, cwd: scratch, reject: false });
    assert.equal(help.exitCode, 0, help.stderr);
    assert.match(help.stdout, /ensure-worker/);
    const viaTemporal = await execa(join(prefix, 'bin', 'temporal-shell'), ['help', 'describe'], {
      env,
      extendEnv: false,
      cwd: scratch,
      reject: false,
    });
    assert.equal(viaTemporal.exitCode, 0, viaTemporal.stderr);

    const setup = await execa(tshell, ['setup', '--json'], {
      env,
      extendEnv: false,
      cwd: scratch,
      reject: false,
      timeout: 280_000,
    });
    assert.equal(setup.exitCode, 0, setup.stderr);
    const d = JSON.parse(setup.stdout) as { toolsDir: string; temporal: string; uv: string };
    assert.equal(d.toolsDir, join(scratch, 'data', 'tshell', 'tools'));
    assert.match(d.temporal, /1\.9\.1/);
    assert.match(d.uv, /0\.13\.8/);
    assert.equal(
      existsSync(join(prefix, 'lib', 'node_modules', 'tshell', '.tools')),
      false,
      'nothing written into the installed package',
    );
    const doctor = JSON.parse(
      (await execa(tshell, ['doctor', '--json'], { env, extendEnv: false, cwd: scratch, reject: false })).stdout,
    ) as { checks: { name: string; ok: boolean; detail: string }[] };
    const temporal = doctor.checks.find((c) => c.name === 'temporal');
    assert.equal(temporal?.ok, true, temporal?.detail);
    assert.ok(temporal?.detail.includes(join(scratch, 'data', 'tshell', 'tools')), temporal?.detail);
  });
});
