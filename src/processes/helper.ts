// The warm helper as a process: where it is, whether it runs (its PID file checked against the live
// process's start time and command line, like every process tshell signals), starting it on demand
// and stopping it. The serving loop itself is in shell/warm/serve.ts.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { helperPaths, HELPER_IDLE_MS, MAX_SOCKET_PATH } from '../config/helper-paths.js';
import { checkPidFile, removePidFile } from './pidfile.js';
import { release, spawnDetached } from './spawn.js';
import { stopProcessTree, type StopResult } from './terminate.js';
import { childEnv } from './tools.js';
import * as z from 'zod/mini';
import { parseOrUndefined } from '../checked-json.js';

/** What the helper writes after each request it serves. */
const HelperStatsSchema = z.object({ served: z.optional(z.number()), lastRequestAt: z.optional(z.string()) });
type HelperStats = z.infer<typeof HelperStatsSchema>;

export interface HelperStatus {
  running: boolean;
  pid?: number;
  socket: string;
  startedAt?: string;
  /** One-shot commands it has answered. */
  served?: number;
  lastRequestAt?: string;
  /** When it exits unless another request comes. */
  idleExitAt?: string;
}

/** How commands declare the status in their --json fields. */
export const HELPER_STATUS_FIELDS = '{running, pid, socket, startedAt, served, lastRequestAt, idleExitAt}';

export function helperStatus(stateDir: string): HelperStatus {
  const paths = helperPaths(stateDir);
  const check = existsSync(paths.pid) ? checkPidFile(paths.pid) : undefined;
  if (check?.state !== 'alive') return { running: false, socket: paths.socket };
  let stats: HelperStats = {};
  try {
    stats = parseOrUndefined(HelperStatsSchema, readFileSync(paths.stats, 'utf8')) ?? {};
  } catch {
    stats = {}; // none written yet
  }
  const last = Date.parse(stats.lastRequestAt ?? check.record.startedAt);
  return {
    running: true,
    pid: check.record.pid,
    socket: paths.socket,
    startedAt: check.record.startedAt,
    served: stats.served ?? 0,
    ...(stats.lastRequestAt ? { lastRequestAt: stats.lastRequestAt } : {}),
    idleExitAt: new Date(last + HELPER_IDLE_MS).toISOString(),
  };
}

/** Starts the helper in the background (it refuses to run twice: a second one exits at once). */
export async function spawnHelper(stateDir: string, entry: string): Promise<void> {
  const paths = helperPaths(stateDir);
  if (paths.socket.length > MAX_SOCKET_PATH) return;
  const proc = await spawnDetached([process.execPath, entry, '__helper', '--state-dir', stateDir], {
    cwd: stateDir,
    env: childEnv({ TSHELL_STATE_DIR: stateDir }),
    logFile: `${paths.dir}/helper.log`,
  });
  release(proc);
}

/** Stops this state dir's helper, only if its PID file still names the live process. */
export async function stopHelper(stateDir: string): Promise<StopResult | undefined> {
  const paths = helperPaths(stateDir);
  if (!existsSync(paths.pid)) return undefined;
  const check = checkPidFile(paths.pid);
  const result = check.state === 'alive' ? await stopProcessTree(check.proc) : undefined;
  removePidFile(paths.pid);
  rmSync(paths.socket, { force: true });
  return result;
}
