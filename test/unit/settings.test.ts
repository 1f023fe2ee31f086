import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveSettings } from '../../src/config/settings.js';

describe('settings precedence: flags > session > env > profile > defaults', () => {
  it('uses defaults when nothing is set', () => {
    const r = resolveSettings({ flags: {}, env: { HOME: '/home/u' }, profileValues: {} });
    assert.equal(r.values.address, 'localhost:7233');
    assert.equal(r.values.namespace, 'default');
    assert.equal(r.values.workerCmd, 'uv run worker');
    assert.equal(r.values.starterCmd, 'uv run starter');
    assert.equal(r.sources.address.source, 'default');
  });

  it('prefers a flag over the environment over the profile', () => {
    const env = { TEMPORAL_ADDRESS: 'env:1' };
    const profileValues = { address: 'profile:1', namespace: 'prof-ns' };
    assert.equal(resolveSettings({ flags: { address: 'flag:1' }, env, profileValues }).values.address, 'flag:1');
    const fromEnv = resolveSettings({ flags: {}, env, profileValues });
    assert.equal(fromEnv.values.address, 'env:1');
    assert.equal(fromEnv.sources.address.source, 'env TEMPORAL_ADDRESS');
    assert.equal(fromEnv.values.namespace, 'prof-ns');
    assert.equal(fromEnv.sources.namespace.source, 'profile default');
  });

  it('accepts the older variable names as aliases, the new name winning', () => {
    const old = resolveSettings({
      flags: {},
      env: {
        CLAUDE_TEMPORAL_PROJECT_NAME: 'legacy',
        TEMPORAL_WORKER_CMD: 'python w.py',
        CLAUDE_TEMPORAL_NAMESPACE: 'old-ns',
      },
      profileValues: {},
    });
    assert.equal(old.values.projectName, 'legacy');
    assert.equal(old.values.workerCmd, 'python w.py');
    assert.equal(old.values.namespace, 'old-ns');
    const both = resolveSettings({
      flags: {},
      env: { TSHELL_PROJECT_NAME: 'new', CLAUDE_TEMPORAL_PROJECT_NAME: 'legacy' },
      profileValues: {},
    });
    assert.equal(both.values.projectName, 'new');
  });

  it('derives the project name, log and PID dirs from what was resolved before', () => {
    const r = resolveSettings({
      flags: { projectDir: '/srv/orders' },
      env: { TSHELL_STATE_DIR: '/tmp/st' },
      profileValues: {},
    });
    assert.equal(r.values.projectName, 'orders');
    assert.equal(r.values.logDir, '/tmp/st/logs');
    assert.equal(r.values.pidDir, '/tmp/st/pids');
  });

  it('lets the session (REPL `project DIR`) beat the environment but not a flag', () => {
    const env = { TSHELL_PROJECT_DIR: '/env/p' };
    assert.equal(
      resolveSettings({ flags: {}, session: { projectDir: '/session/p' }, env, profileValues: {} }).values.projectDir,
      '/session/p',
    );
    assert.equal(
      resolveSettings({
        flags: { projectDir: '/flag/p' },
        session: { projectDir: '/session/p' },
        env,
        profileValues: {},
      }).values.projectDir,
      '/flag/p',
    );
  });

  it('reads address and namespace from the Temporal CLI profile file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tshell-profile-'));
    const file = join(dir, 'temporal.toml');
    writeFileSync(
      file,
      '[profile.default]\naddress = "prof.example:7233"\nnamespace = "prof-ns"\n\n[profile.other]\naddress = "other:7233"\n',
    );
    const r = resolveSettings({ flags: {}, env: { TEMPORAL_CONFIG_FILE: file } });
    assert.equal(r.values.address, 'prof.example:7233');
    assert.equal(r.values.namespace, 'prof-ns');
    const other = resolveSettings({ flags: { profile: 'other' }, env: { TEMPORAL_CONFIG_FILE: file } });
    assert.equal(other.values.address, 'other:7233');
    assert.equal(other.sources.address.source, 'profile other');
  });
});

describe('typed settings', async () => {
  const { booleanSetting } = await import('../../src/config/settings.js');
  it('reads --tls as a boolean and rejects anything else with the flag named', () => {
    assert.equal(booleanSetting('', 'tls'), undefined);
    assert.equal(booleanSetting('TRUE', 'tls'), true);
    assert.equal(booleanSetting('0', 'tls'), false);
    assert.throws(() => booleanSetting('maybe', 'tls'), /--tls must be true or false/);
  });

  it('resolves tls and the UI port once, typed; a bad value is named by validateSettings, not by the prompt', async () => {
    const { resolveSettings, validateSettings } = await import('../../src/config/settings.js');
    const r = resolveSettings({ flags: {}, env: { TEMPORAL_TLS: 'yes', TSHELL_UI_PORT: '8233' }, profileValues: {} });
    assert.equal(r.values.tls, true);
    assert.equal(r.values.uiPort, 8233);
    assert.equal(r.sources.tls.value, 'yes', 'config shows the value as given');
    const unset = resolveSettings({ flags: {}, env: {}, profileValues: {} });
    assert.deepEqual([unset.values.tls, unset.values.uiPort], [undefined, undefined]);
    const bad = resolveSettings({ flags: { uiPort: '82a3' }, env: { TEMPORAL_TLS: 'maybe' }, profileValues: {} });
    assert.deepEqual([bad.values.tls, bad.values.uiPort], [undefined, undefined]);
    assert.throws(() => validateSettings(bad.values, bad.sources), /--tls must be true or false, not "maybe"/);
    const badPort = resolveSettings({ flags: { uiPort: '70000' }, env: {}, profileValues: {} });
    assert.throws(
      () => validateSettings(badPort.values, badPort.sources),
      /--ui-port must be a port from 1 to 65535, not "70000"/,
    );
  });
});

describe('where setup puts the tools', () => {
  it("TSHELL_TOOLS_DIR, else a clone's .tools/, else the user data dir for an installed package", async () => {
    const { toolsDir } = await import('../../src/processes/tools.js');
    const { mkdirSync } = await import('node:fs');
    const clone = mkdtempSync(join(tmpdir(), 'tshell-clone-'));
    mkdirSync(join(clone, '.git'));
    const installed = mkdtempSync(join(tmpdir(), 'tshell-pkg-'));
    assert.equal(toolsDir({ TSHELL_TOOLS_DIR: '/opt/t' }, clone), '/opt/t');
    assert.equal(toolsDir({}, clone), join(clone, '.tools'));
    assert.equal(toolsDir({ XDG_DATA_HOME: '/home/u/.data' }, installed), '/home/u/.data/tshell/tools');
    assert.equal(toolsDir({ HOME: '/nowhere' }, installed).endsWith(join('.local', 'share', 'tshell', 'tools')), true);
  });
});
