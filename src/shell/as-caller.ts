// Runs one one-shot command line in this process as its caller would have run it: the caller's
// environment and folder (process-wide for the length of the command, so only one at a time), its
// terminal as it described it, output to the given writers. The warm helper answers its clients this
// way, and the test harness runs commands this way against a suite's shared server.
import { forgetProjects } from '../project/index.js';
import { ExitCode } from '../errors.js';
import { closeConnections } from '../temporal/connection.js';
import { executeWords, type ShellRuntime } from './execute.js';
import { chainSessions } from './context.js';
import type { WarmRequest } from '../config/helper-protocol.js';

/** A request to the helper without its credentials: the command line and the caller's world. */
export type CallerWorld = Omit<WarmRequest, 'token' | 'build'>;

/** process.env becomes exactly these variables (settings, child processes and paths all read it). */
function replaceEnv(vars: NodeJS.ProcessEnv): void {
  // Only what differs: each write to process.env is a setenv, and a caller's environment is mostly the helper's.
  for (const k of Object.keys(process.env)) if (!Object.hasOwn(vars, k) || vars[k] === undefined) delete process.env[k];
  for (const [k, v] of Object.entries(vars)) if (v !== undefined && process.env[k] !== v) process.env[k] = v;
}

/** One at a time: the environment and the folder are the process's own. */
let running = false;

export async function runAsCaller(
  world: CallerWorld,
  out: { stdout: (text: string) => void; stderr: (text: string) => void },
  signal: AbortSignal,
): Promise<number> {
  if (running) throw new Error('runAsCaller: one command at a time');
  running = true;
  const savedEnv = { ...process.env };
  const savedCwd = process.cwd();
  try {
    replaceEnv(world.env);
    process.chdir(world.cwd);
    forgetProjects();
    const columns = world.columns ? { columns: world.columns } : {};
    const runtime: ShellRuntime = {
      stdout: { isTTY: world.stdoutTTY, ...columns, write: out.stdout },
      stderr: { isTTY: world.stderrTTY, ...columns, write: out.stderr },
      env: process.env,
      interactive: false,
      mode: 'one-shot',
      overrides: {},
      launchFlags: {},
      sessions: chainSessions(process.env),
    };
    const code = (await executeWords(world.argv, runtime, signal)).exitCode;
    // A command that could not do its job may have met a server that died: its cached connection
    // would keep failing after the server is back (gRPC backs off), so the next command starts afresh.
    if (code === ExitCode.error) await closeConnections();
    return code;
  } finally {
    replaceEnv(savedEnv);
    process.chdir(savedCwd);
    running = false;
  }
}
