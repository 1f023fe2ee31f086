// The one way to reach Temporal: @temporalio/client loaded lazily (commands that need no server do
// not pay ~300 ms for it), a TCP probe first so "server down" is reported in milliseconds, and few
// gRPC retries so a server that dies mid-session is reported in seconds, not after 20.
import type { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import type { Settings } from '../config/settings.js';
import { ConnectionError, UsageError } from '../errors.js';

export interface TemporalHandle {
  client: Client;
  connection: Connection;
  namespace: string;
  address: string;
}

export interface HostPort {
  host: string;
  port: number;
}

export function parseAddress(address: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address.trim());
  if (!match) throw new UsageError(`invalid address "${address}"`, 'use HOST:PORT, e.g. localhost:7233');
  return { host: match[1] ?? match[2] ?? 'localhost', port: Number(match[3]) };
}

export function isLocalHost(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '0.0.0.0'].includes(host) || host.startsWith('127.');
}

/** Resolves true when something accepts TCP connections at the address. */
export async function tcpProbe(address: string, timeoutMs = 1000): Promise<boolean> {
  const { host, port } = parseAddress(address);
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host === 'localhost' ? '127.0.0.1' : host);
  });
}

/** TLS and API key, as the Temporal CLI takes them (flags, TEMPORAL_* variables, temporal.toml). */
export interface Security {
  tls?:
    | boolean
    | { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  apiKey?: string;
}

function readPem(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(
      `cannot read ${flag} ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      `check the path (set by --${flag} or its TEMPORAL_* variable)`,
    );
  }
}

/** TLS is on when asked (`tls` true), or when a certificate, a CA or an API key is given and not `tls` false. */
/** What a connection is made from: the address and the security settings. */
export type ConnectionSettings = Pick<Settings, 'address'> &
  Partial<Pick<Settings, 'tls' | 'tlsCertPath' | 'tlsKeyPath' | 'tlsCaPath' | 'tlsServerName' | 'apiKey'>>;

export function connectionSecurity(
  s: Partial<Pick<Settings, 'tls' | 'tlsCertPath' | 'tlsKeyPath' | 'tlsCaPath' | 'tlsServerName' | 'apiKey'>>,
): Security {
  const apiKey = s.apiKey ? { apiKey: s.apiKey } : {};
  const asked = s.tls;
  const on = asked ?? Boolean(s.tlsCertPath || s.tlsCaPath || s.apiKey);
  // An explicit `tls false` wins, also over the SDK's own default of TLS whenever an API key is set.
  if (!on) return { ...(asked === false ? { tls: false } : {}), ...apiKey };
  if (Boolean(s.tlsCertPath) !== Boolean(s.tlsKeyPath))
    throw new UsageError('mTLS needs both --tls-cert-path and --tls-key-path');
  const tls = {
    ...(s.tlsServerName ? { serverNameOverride: s.tlsServerName } : {}),
    ...(s.tlsCaPath ? { serverRootCACertificate: readPem(s.tlsCaPath, 'tls-ca-path') } : {}),
    ...(s.tlsCertPath && s.tlsKeyPath
      ? { clientCertPair: { crt: readPem(s.tlsCertPath, 'tls-cert-path'), key: readPem(s.tlsKeyPath, 'tls-key-path') } }
      : {}),
  };
  return { tls: Object.keys(tls).length ? tls : true, ...apiKey };
}

const connections = new Map<string, Promise<Connection>>();
/** The clients made on each connection, one per namespace (they go with their connection). */
const clients = new WeakMap<Connection, Map<string, Client>>();

/** gRPC's READY: the channel holds a live HTTP/2 connection (one the server closed is no longer READY). */
const READY = 2;
/** The SDK keeps its gRPC client protected: read through this view, and any other shape means "probe". */
type ChannelView = { client?: { getChannel?: () => { getConnectivityState?: (connect: boolean) => number } } };
async function isLive(key: string): Promise<boolean> {
  const connection = await connections.get(key)?.catch(() => undefined);
  const channel = (connection as ChannelView | undefined)?.client?.getChannel?.();
  return channel?.getConnectivityState?.(false) === READY;
}

async function openConnection(address: string, security: Security): Promise<Connection> {
  const { Connection, makeGrpcRetryInterceptor, defaultGrpcRetryOptions } = await import('@temporalio/client');
  try {
    return await Connection.connect({
      address,
      ...security,
      connectTimeout: 2000,
      interceptors: [
        makeGrpcRetryInterceptor(
          defaultGrpcRetryOptions({ maxAttempts: 3, initialIntervalMs: () => 100, maxIntervalMs: () => 500 }),
        ),
      ],
    });
  } catch (err) {
    throw new ConnectionError(address, err instanceof Error ? err.message.split('\n')[0] : undefined);
  }
}

/**
 * One cached connection per address and every security setting (CA, client pair, server name, API
 * key): the warm helper serves callers with different settings, and none may borrow another's.
 */
function connectionKey(address: string, security: Security = {}): string {
  return `${address}\0${JSON.stringify(security)}`;
}

/** Connects (reusing a live connection in the same process), failing fast when nothing listens. */
export async function connectTemporal(
  address: string,
  namespace: string,
  security: Security = {},
): Promise<TemporalHandle> {
  const key = connectionKey(address, security);
  // A live connection needs no probe (in the warm helper, most calls): the probe is for a server that
  // is down, which a live connection would already have seen close.
  if (!(await isLive(key)) && !(await tcpProbe(address))) {
    connections.delete(key);
    throw new ConnectionError(address, 'connection refused');
  }
  let pending = connections.get(key);
  if (!pending) {
    pending = openConnection(address, security);
    connections.set(key, pending);
    pending.catch(() => connections.delete(key));
  }
  const connection = await pending;
  let byNamespace = clients.get(connection);
  if (!byNamespace) clients.set(connection, (byNamespace = new Map()));
  let client = byNamespace.get(namespace);
  if (!client) {
    const { Client } = await import('@temporalio/client');
    client = new Client({ connection, namespace });
    byNamespace.set(namespace, client);
  }
  return { client, connection, namespace, address };
}

/** True when a Temporal frontend answers its health check at the address. */
/**
 * The server answers its health check, asked with the same connection settings as every other call
 * (TLS, CA, client certificate, server name, API key): a TLS endpoint is healthy, not "taken".
 */
export async function serverHealthy(s: ConnectionSettings): Promise<boolean> {
  if (!(await tcpProbe(s.address, 500))) return false;
  const security = connectionSecurity(s);
  try {
    const handle = await connectTemporal(s.address, 'default', security);
    const res = await handle.connection.withDeadline(Date.now() + 2000, () =>
      handle.connection.healthService.check({}),
    );
    return res.status === 1; // SERVING
  } catch {
    connections.delete(connectionKey(s.address, security)); // the one connectTemporal above cached
    return false;
  }
}

export async function closeConnections(): Promise<void> {
  const all = [...connections.values()];
  connections.clear();
  await Promise.allSettled(all.map(async (p) => (await p).close()));
}

/** The connection the settings describe (address, namespace, TLS, API key). */
export function connectFor(settings: Settings): Promise<TemporalHandle> {
  return connectTemporal(settings.address, settings.namespace, connectionSecurity(settings));
}
