// The thin one-shot client (bundled alone as dist/warm.cjs: node built-ins only, a few KB). When this
// user's warm helper runs, a one-shot command line goes to it over the Unix socket in the private
// state dir and its output comes back as it is written: no Temporal client, protobuf or gRPC to load.
// Whenever the helper is absent, stale, of another build, declines the command, or dies mid-command,
// the answer is `undefined` and the launcher runs the command in-process instead (warm commands only
// read, so running one again is safe).
import { readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';
import { fdSink } from '../sink.js';
import { defaultStateDir, helperAllowed, helperPaths, MAX_SOCKET_PATH } from '../../config/helper-paths.js';
import { readFrame, type WarmRequest } from '../../config/helper-protocol.js';

/** Size and mtime of the full CLI bundle: a rebuilt tshell never talks to an older helper. */
export function buildStamp(bundle: string): string {
  const st = statSync(bundle);
  return `${st.size}:${Math.round(st.mtimeMs)}`;
}

/** A command word (launch flags mean the REPL or a script), and not already declined. */
function eligible(argv: string[], env: NodeJS.ProcessEnv): boolean {
  const first = argv[0];
  if (!first || first.startsWith('-')) return false;
  return helperAllowed(argv, env);
}

export async function viaHelper(
  argv: string[],
  bundle = fileURLToPath(new URL('./cli.js', import.meta.url)),
): Promise<number | undefined> {
  const env = process.env;
  if (!eligible(argv, env)) return undefined;
  const paths = helperPaths(defaultStateDir(env));
  if (paths.socket.length > MAX_SOCKET_PATH) return undefined;
  let token: string;
  let build: string;
  try {
    token = readFileSync(paths.token, 'utf8').trim();
    build = buildStamp(bundle);
  } catch {
    return undefined; // no helper has run here (or the token is not ours to read)
  }
  const request: WarmRequest = {
    token,
    build,
    argv,
    cwd: process.cwd(),
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')),
    stdoutTTY: isatty(1),
    stderrTTY: isatty(2),
    ...(isatty(1) && process.stdout.columns ? { columns: process.stdout.columns } : {}),
  };
  const stdout = fdSink(1);
  const stderr = fdSink(2);
  return new Promise((resolve) => {
    const socket = createConnection(paths.socket);
    let pending = '';
    let settled = false;
    const done = (code: number | undefined) => {
      if (settled) return;
      settled = true;
      process.removeListener('SIGINT', onSigint);
      socket.destroy();
      resolve(code);
    };
    const onSigint = () => {
      socket.destroy(); // the helper aborts the command when its caller goes
      process.exit(130);
    };
    process.once('SIGINT', onSigint);
    let asked = false;
    socket.on('connect', () => {
      asked = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const frame = readFrame(line);
        if (!frame) {
          // Not the protocol (a helper of some other program on this socket?): run it here.
          if (!settled) stderr.write('… the warm helper answered something else; running it here\n');
          done(undefined);
        } else if ('o' in frame) stdout.write(frame.o);
        else if ('e' in frame) stderr.write(frame.e);
        else if ('x' in frame) done(frame.x);
        else done(undefined);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A socket file with no helper behind it (killed, machine rebooted): remove it; in-process.
      if (err.code === 'ECONNREFUSED') rmSync(paths.socket, { force: true });
      done(undefined);
    });
    socket.on('close', () => {
      // The helper went away mid-command (killed, crashed): say so, and run it here instead.
      if (asked && !settled) stderr.write('… the warm helper went away mid-command; running it here\n');
      done(undefined);
    });
  });
}
