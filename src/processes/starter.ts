// Running the project's starter: the workflow id is read from its output as it streams, and
// otherwise asked of the server (executions started after the launch). A starter that blocks until
// the workflow ends is left running in the background with its output in a log.
import { projectKey } from '../config/state-dir.js';
import { join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { ProcessError } from '../errors.js';
import { childEnv } from './tools.js';
import { prepareRunEnv, projectRunEnv } from './project-env.js';
import { logTail, readLogSince, release, spawnDetached, splitCommand } from './spawn.js';
import { sleep } from './proc.js';

const ID_PATTERNS = [
  /\bworkflow[ _-]?id\b["']?\s*[:=]\s*["']?([^\s"',)]+)/i,
  /\bstarted workflow\b[^\n]*?\bwith id\b\s*[:=]?\s*["']?([^\s"',)]+)/i,
  /\bstarted workflow(?: execution)?\b\s*[:=]?\s*["']?([^\s"',)]+)/i,
  /\bworkflow\b\s+["']?([^\s"',)]+)["']?\s+started\b/i,
];
const RUN_ID =
  /\brun(?:[ _-]?id)?\b["']?\s*[:=]?\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** The workflow id (and run id) a starter printed, if any. */
export function workflowIdFromOutput(text: string): { workflowId: string; runId?: string } | undefined {
  for (const line of text.split('\n')) {
    for (const pattern of ID_PATTERNS) {
      const m = pattern.exec(line);
      if (m?.[1] && !/^(execution|with|id|started)$/i.test(m[1])) {
        return { workflowId: m[1].replace(/[.:;]+$/, ''), runId: RUN_ID.exec(line)?.[1] };
      }
    }
  }
  return undefined;
}

export interface StarterRun {
  pid: number;
  logFile: string;
  launchedAt: Date;
  /** Output so far, polled. */
  output(): string;
  exited(): { code: number | null; signal: string | null } | undefined;
  release(): void;
  tail(n?: number): string[];
}

export async function launchStarter(settings: Settings): Promise<StarterRun> {
  const argv = splitCommand(settings.starterCmd, 'starter command');
  const logFile = join(settings.logDir, `starter-${projectKey(settings)}.log`);
  await prepareRunEnv(argv, settings.starterDir, settings.stateDir);
  const launchedAt = new Date();
  const proc = await spawnDetached(argv, {
    cwd: settings.starterDir,
    env: childEnv({
      TEMPORAL_ADDRESS: settings.address,
      TEMPORAL_NAMESPACE: settings.namespace,
      ...projectRunEnv(argv, settings.starterDir, settings.stateDir),
    }),
    logFile,
    banner: `=== tshell: ${launchedAt.toISOString()} starter: ${argv.join(' ')} (in ${settings.starterDir})`,
  });
  return {
    pid: proc.pid,
    logFile,
    launchedAt,
    output: () => readLogSince(logFile, proc.logOffset),
    exited: () => proc.hasExited(),
    release: () => release(proc),
    tail: (n = 15) => logTail(logFile, proc.logOffset, n),
  };
}

export interface CapturedWorkflow {
  workflowId: string;
  runId?: string;
  source: 'starter output' | 'server';
  /** Set when the starter exited non-zero although the workflow was started. */
  starterFailure?: string;
}

function describeExit(exit: { code: number | null; signal: string | null }): string {
  if (exit.code === null) return `was killed by ${exit.signal}`;
  // `uv run` reports a child killed by a signal as 128 + the signal number.
  if (exit.code > 128 && exit.code < 160) return `failed (exit code ${exit.code}: killed by signal ${exit.code - 128})`;
  return `failed (exit code ${exit.code})`;
}

/**
 * Waits until the starter printed a workflow id, exited, or the time ran out. `fromServer` asks the
 * server for executions started since the launch; it is tried once the starter exited (or after a
 * few seconds of silence).
 */
export async function captureWorkflowId(
  run: StarterRun,
  fromServer: (since: Date) => Promise<{ workflowId: string; runId?: string } | undefined>,
  opts: { timeoutMs: number; signal: AbortSignal },
): Promise<CapturedWorkflow> {
  const started = Date.now();
  let lastServerTry = 0;
  while (Date.now() - started < opts.timeoutMs) {
    const printed = workflowIdFromOutput(run.output());
    if (printed) return { ...printed, source: 'starter output' };
    const exit = run.exited();
    if (exit && exit.code !== 0) {
      // A starter that fails *after* starting the workflow (execute_workflow raising for a failed
      // workflow, or the Python process crashing at teardown) still started it: the workflow is
      // what the developer wants, the starter's failure becomes a warning.
      const found = await fromServer(run.launchedAt);
      const failure = `starter ${describeExit(exit)}`;
      if (found) return { ...found, source: 'server', starterFailure: failure };
      throw new ProcessError(`${failure}`, run.tail(), `full log: ${run.logFile}`);
    }
    if (exit || (Date.now() - started > 3000 && Date.now() - lastServerTry > 1000)) {
      lastServerTry = Date.now();
      const found = await fromServer(run.launchedAt);
      if (found) return { ...found, source: 'server' };
      if (exit && Date.now() - started > 5000) break;
    }
    await sleep(100, opts.signal);
  }
  throw new ProcessError(
    'could not tell which workflow the starter started',
    run.tail(),
    'print the workflow id from the starter (e.g. "Started workflow <id>"), or use `start --type T --task-queue Q`',
  );
}
