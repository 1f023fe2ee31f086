// Where the warm helper lives: one per user and state dir, in the private state dir. Kept free of
// other imports: the thin one-shot client (dist/warm.cjs) bundles this file and nothing heavy.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The state dir when neither a flag nor TSHELL_STATE_DIR names one. */
export function xdgStateDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'tshell');
}

/** The state dir when no flag names one (the same rule the settings use). */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  return env.TSHELL_STATE_DIR || xdgStateDir(env);
}

export interface HelperPaths {
  dir: string;
  socket: string;
  /** A random secret only the owner can read: a request without it is refused. */
  token: string;
  pid: string;
  /** Requests served, for `server status` and the tests. */
  stats: string;
}

export function helperPaths(stateDir: string): HelperPaths {
  const dir = join(stateDir, 'helper');
  return {
    dir,
    socket: join(dir, 'helper.sock'),
    token: join(dir, 'token'),
    pid: join(dir, 'helper.pid'),
    stats: join(dir, 'stats.json'),
  };
}

/**
 * Whether a one-shot may go to (or start) the helper: not when it is turned off (TSHELL_HELPER=0) or the
 * state dir is given as a flag (the clients find the helper by the state dir the environment names).
 */
export function helperAllowed(argv: string[], env: NodeJS.ProcessEnv): boolean {
  return env.TSHELL_HELPER !== '0' && !argv.some((a) => a === '--state-dir' || a.startsWith('--state-dir='));
}

/** The helper exits after this long without a request. */
export const HELPER_IDLE_MS = 10 * 60_000;

/** Unix socket paths are limited to 107 bytes: a longer state dir runs without a helper. */
export const MAX_SOCKET_PATH = 100;
