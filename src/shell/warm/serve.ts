// The warm helper: one long-lived tshell per user and state dir that keeps the Temporal client, its
// protobuf types and gRPC connections loaded, and answers one-shot commands marked `warm` (they only
// read and never ask) for the thin client. Started on demand by the first warm one-shot, it listens on
// a Unix socket in the private (0700) state dir, refuses requests without the owner's token, answers
// one request at a time (each runs with the caller's cwd and environment), exits when a client of
// another build calls or after 10 idle minutes, and removes its socket and PID file when it goes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { helperPaths, HELPER_IDLE_MS } from '../../config/helper-paths.js';
import type { WarmFrame, WarmRequest } from '../../config/helper-protocol.js';
import * as z from 'zod/mini';
import { checkedOrUndefined } from '../../checked-json.js';
import { ensurePrivateDir } from '../../config/state-dir.js';
import { findCommand } from '../../commands/registry.js';
import { readProc } from '../../processes/proc.js';
import { removePidFile, writePidFile } from '../../processes/pidfile.js';
import { releaseLock, tryLock } from '../../processes/lock.js';
import { runAsCaller } from '../as-caller.js';
import { prewarmTemporal } from '../../temporal/prewarm.js';
import { buildStamp } from './client.js';

/** A request line as helper-protocol.ts describes it; typed against WarmRequest so the two cannot drift. */
const WarmRequestSchema: z.ZodMiniType<WarmRequest> = z.object({
  token: z.string(),
  build: z.string(),
  argv: z.array(z.string()),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  stdoutTTY: z.boolean(),
  stderrTTY: z.boolean(),
  columns: z.optional(z.number()),
});

/** What every build's request starts with: who sent it, and which build it belongs to. */
const EnvelopeSchema = z.object({ token: z.string(), build: z.optional(z.string()) });

const send = (socket: Socket, frame: WarmFrame) => socket.write(`${JSON.stringify(frame)}\n`);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** True when a helper already answers on the socket (then this one is not needed). */
function answering(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** `bundle`: the entry bundle (dist/cli.js), whose stamp the clients send; this file may be a chunk elsewhere. */
export async function serveWarm(stateDir: string, bundle: string): Promise<void> {
  const paths = helperPaths(stateDir);
  ensurePrivateDir(paths.dir);
  // Only the owner of the state dir is served: the socket sits in a dir nobody else can enter.
  if (statSync(paths.dir).uid !== process.getuid?.()) throw new Error(`${paths.dir} belongs to another user`);
  chmodSync(paths.dir, 0o700);
  // Two one-shots may each start a helper: only the one holding the lock touches the socket.
  if (!tryLock(stateDir, 'helper', 'the warm helper')) return;
  if (await answering(paths.socket)) {
    releaseLock(stateDir, 'helper');
    return;
  }
  rmSync(paths.socket, { force: true }); // stale: nothing answers on it
  const build = buildStamp(bundle);
  const token = randomBytes(24).toString('hex');
  let served = 0;
  // Rewritten in place after every request, through one open file: opening and truncating it took
  // about 1 ms a request here, a tenth of a warm answer. The record only grows (a JSON reader skips
  // the padding), so nothing is left of a longer one.
  const statsFd = openSync(paths.stats, 'w', 0o600);
  const writeStats = (stats: { served: number; lastRequestAt?: string }) =>
    writeSync(statsFd, `${JSON.stringify(stats).padEnd(96)}\n`, 0);
  let busy = false;
  let idle: NodeJS.Timeout | undefined;

  const server = createServer((socket) => {
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      const nl = pending.indexOf('\n');
      if (nl < 0) return;
      const line = pending.slice(0, nl);
      pending = '';
      socket.removeAllListeners('data');
      // The token first: nothing about the request is looked at before it proves who sent it. Then the
      // build, before the rest: a client of another build may well send another shape.
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        raw = undefined;
      }
      const envelope = checkedOrUndefined(EnvelopeSchema, raw);
      if (!envelope || !sameToken(envelope.token, token)) {
        send(socket, { refuse: 'token' });
        socket.end();
        return;
      }
      if (envelope.build !== build) {
        // A rebuilt tshell: answer nothing, go, and let the next one-shot start a current helper.
        send(socket, { refuse: 'build' });
        socket.end();
        shutdown();
        return;
      }
      const req = checkedOrUndefined(WarmRequestSchema, raw);
      if (!req) {
        send(socket, { refuse: 'not a request' });
        socket.end();
        return;
      }
      if (!findCommand(req.argv[0] ?? '')?.warm) {
        send(socket, { refuse: 'not a warm command' });
        socket.end();
        return;
      }
      // One at a time (each runs in the caller's cwd and environment); a caller that finds the helper
      // busy (a long `wait` in another terminal) runs in-process rather than queue behind it.
      if (busy) {
        send(socket, { refuse: 'busy' });
        socket.end();
        return;
      }
      busy = true;
      void answer(socket, req).finally(() => {
        busy = false;
      });
    });
    socket.on('error', () => socket.destroy());
  });

  /** Runs one command line as its caller would: their cwd, their environment, their terminal. */
  async function answer(socket: Socket, req: WarmRequest): Promise<void> {
    if (socket.destroyed) return;
    clearTimeout(idle);
    const ac = new AbortController();
    socket.once('close', () => ac.abort());
    let code = 1;
    try {
      code = await runAsCaller(
        req,
        { stdout: (o: string) => send(socket, { o }), stderr: (e: string) => send(socket, { e }) },
        ac.signal,
      );
    } catch (err) {
      send(socket, { e: `✗ ${(err as Error).message}\n` });
    }
    served++;
    writeStats({ served, lastRequestAt: new Date().toISOString() });
    if (!socket.destroyed) {
      send(socket, { x: code });
      socket.end();
    }
    armIdle();
  }

  function armIdle(): void {
    clearTimeout(idle);
    idle = setTimeout(shutdown, HELPER_IDLE_MS);
  }

  let down = false;
  function shutdown(): void {
    if (down) return;
    down = true;
    server.close();
    rmSync(paths.socket, { force: true });
    rmSync(paths.token, { force: true });
    removePidFile(paths.pid);
    releaseLock(stateDir, 'helper');
    setTimeout(() => process.exit(0), 50).unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(paths.socket, () => resolve());
  });
  chmodSync(paths.socket, 0o600);
  writeFileSync(paths.token, token, { mode: 0o600 });
  const me = readProc(process.pid);
  writePidFile(paths.pid, {
    kind: 'helper',
    pid: process.pid,
    startTicks: me?.startTicks ?? 0,
    argv: me?.argv ?? [],
    cwd: process.cwd(),
    logFile: `${paths.dir}/helper.log`,
    logOffset: 0,
    startedAt: new Date().toISOString(),
  });
  writeStats({ served });
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  armIdle();
  // Loaded after the socket listens: a request that comes meanwhile waits only for what it needs.
  void prewarmTemporal().catch(() => undefined);
}
