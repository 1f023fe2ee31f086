// Connection security for real: a TLS front (mutual TLS, ALPN h2) before the dev server, reached with
// the Temporal CLI's settings (--tls-ca-path, --tls-cert-path, --tls-key-path, --tls-server-name).
// Without the client certificate, or without TLS, the answer is one clear line.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer, type Server, type TlsOptions } from 'node:tls';
import { execa } from 'execa';
import { cleanup, declaredJson, makeEnv, noStackTrace, tshell, type Env } from '../helpers/tshell.js';

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await execa('openssl', args, { cwd, reject: false });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(' ')}: ${String(r.stderr)}`);
}

/** A CA, a server certificate for localhost and a client certificate, all signed by the CA. */
async function makeCerts(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '1',
      '-subj',
      '/CN=tshell test CA',
    ],
    dir,
  );
  for (const who of ['server', 'client']) {
    await openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        `${who}.key`,
        '-out',
        `${who}.csr`,
        '-subj',
        `/CN=${who === 'server' ? 'localhost' : 'tshell-client'}`,
      ],
      dir,
    );
    if (who === 'server') writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    const ext = who === 'server' ? ['-extfile', 'san.ext'] : [];
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${who}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${who}.pem`,
        '-days',
        '1',
        ...ext,
      ],
      dir,
    );
  }
}

/** A TLS front (ALPN h2) on a free local port that passes every connection through to `upstream`. */
async function tlsFront(upstream: string, options: TlsOptions): Promise<{ front: Server; address: string }> {
  const [host, port] = upstream.split(':');
  const front = createServer({ ...options, ALPNProtocols: ['h2'] }, (socket) => {
    const through = connect(Number(port), host);
    socket.pipe(through).pipe(socket);
    socket.on('error', () => through.destroy());
    through.on('error', () => socket.destroy());
  });
  front.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  return { front, address: `127.0.0.1:${(front.address() as AddressInfo).port}` };
}

describe('TLS and API key settings', () => {
  let env: Env;
  let front: Server;
  let frontAddress: string;
  /** Server TLS only (no client certificate asked), the way an API-key endpoint is reached. */
  let keyFront: Server;
  let keyFrontAddress: string;
  let certs: string;
  before(async () => {
    env = await makeEnv();
    assert.equal((await tshell(['ensure-server', '--headless'], { env: env.env })).exitCode, 0);
    certs = join(env.stateDir, 'certs');
    await makeCerts(certs);
    const server = { key: readFileSync(join(certs, 'server.key')), cert: readFileSync(join(certs, 'server.pem')) };
    ({ front, address: frontAddress } = await tlsFront(env.address, {
      ...server,
      ca: readFileSync(join(certs, 'ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    }));
    ({ front: keyFront, address: keyFrontAddress } = await tlsFront(env.address, server));
  });
  after(async () => {
    front?.close();
    keyFront?.close();
    await cleanup(env);
  });

  it('talks to a server behind mutual TLS with the CLI-style settings, from flags or TEMPORAL_* variables', async () => {
    const flags = [
      '--address',
      frontAddress,
      '--tls-ca-path',
      join(certs, 'ca.pem'),
      '--tls-cert-path',
      join(certs, 'client.pem'),
      '--tls-key-path',
      join(certs, 'client.key'),
      '--tls-server-name',
      'localhost',
    ];
    const r = await tshell(['recent', '--json', ...flags], { env: env.env });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(Array.isArray((await declaredJson<{ workflows: unknown[] }>('recent', r)).workflows));
    const viaEnv = await tshell(['recent'], {
      env: {
        ...env.env,
        TEMPORAL_ADDRESS: frontAddress,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(certs, 'ca.pem'),
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(certs, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(certs, 'client.key'),
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
      },
    });
    assert.equal(viaEnv.exitCode, 0, viaEnv.stderr);
  });

  it('without the client certificate, or without TLS, says it cannot connect in one line', async () => {
    for (const extra of [['--tls-ca-path', join(certs, 'ca.pem'), '--tls-server-name', 'localhost'], []]) {
      const r = await tshell(['recent', '--address', frontAddress, ...extra], { env: env.env, timeoutMs: 30_000 });
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, /cannot reach Temporal at 127\.0\.0\.1:\d+/);
      assert.ok(noStackTrace(r.stderr), r.stderr);
    }
    const missing = await tshell(['recent', '--address', frontAddress, '--tls-ca-path', join(certs, 'nope.pem')], {
      env: env.env,
    });
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /cannot read tls-ca-path .*nope\.pem: ENOENT/);
  });

  it("an explicit tls false wins over the API key's TLS default (flag and TEMPORAL_TLS)", async () => {
    const plain = await tshell(
      ['recent', '--json', '--address', env.address, '--api-key', 'sk-plaintext-dev', '--tls', 'false'],
      { env: env.env },
    );
    assert.equal(plain.exitCode, 0, plain.stderr);
    const viaEnv = await tshell(['recent', '--json'], {
      env: { ...env.env, TEMPORAL_API_KEY: 'sk-plaintext-dev', TEMPORAL_TLS: 'false' },
    });
    assert.equal(viaEnv.exitCode, 0, viaEnv.stderr);
    // Without it an API key means TLS, as in the Temporal CLI: a plaintext server cannot be reached.
    const defaulted = await tshell(['recent', '--address', env.address, '--api-key', 'sk-plaintext-dev'], {
      env: env.env,
      timeoutMs: 30_000,
    });
    assert.equal(defaulted.exitCode, 2, defaulted.stdout);
    assert.match(defaulted.stderr, /cannot reach Temporal/);
  });

  it('health, server status, ensure-server and doctor use the same TLS and API key settings as describe', async () => {
    // An API key turns TLS on (as in the Temporal CLI); the CA and server name make the test's certificate trusted.
    const e = {
      ...env.env,
      TEMPORAL_ADDRESS: keyFrontAddress,
      TEMPORAL_API_KEY: 'sk-behind-tls',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(certs, 'ca.pem'),
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
      TSHELL_HELPER: '0',
    };
    assert.equal((await tshell(['recent', '--json'], { env: e })).exitCode, 0);
    const health = await declaredJson<{ server: { address: string; reachable: boolean } }>(
      'health',
      await tshell(['health', '--json'], { env: e }),
    );
    assert.deepEqual(health.server, { address: keyFrontAddress, reachable: true });
    const status = await declaredJson<{ reachable: boolean }>(
      'server',
      await tshell(['server', 'status', '--json'], { env: e }),
    );
    assert.equal(status.reachable, true);
    const ensured = await tshell(['ensure-server', '--json'], { env: e });
    assert.equal(ensured.exitCode, 0, ensured.stderr);
    assert.equal(
      (await declaredJson<{ action: string; startedByTshell: boolean }>('ensure-server', ensured)).action,
      'reused',
    );
    const doctor = await declaredJson<{ checks: { name: string; ok: boolean; detail: string }[] }>(
      'doctor',
      await tshell(['doctor', '--json'], { env: e }),
    );
    const server = doctor.checks.find((c) => c.name === 'server');
    assert.equal(server?.ok, true, server?.detail);
    // The same endpoint without the CA is not trusted: unreachable, never "taken by a program that is not a Temporal server".
    const untrusted = { ...e, TEMPORAL_TLS_SERVER_CA_CERT_PATH: '' };
    assert.equal(
      (
        await declaredJson<{ reachable: boolean }>(
          'server',
          await tshell(['server', 'status', '--json'], { env: untrusted, timeoutMs: 30_000 }),
        )
      ).reachable,
      false,
    );
  });

  it('never shows the API key', async () => {
    const d = await declaredJson<{ settings: { name: string; value: string; source: string }[] }>(
      'config',
      await tshell(['config', '--json', '--api-key', 'sk-very-secret'], { env: env.env }),
    );
    const key = d.settings.find((x) => x.name === 'apiKey');
    assert.deepEqual([key?.value, key?.source], ['(set)', 'flag']);
    assert.doesNotMatch(JSON.stringify(d), /sk-very-secret/);
  });
});
