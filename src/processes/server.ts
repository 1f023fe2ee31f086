// Supervision of `temporal server start-dev`: reuse a server that answers, otherwise start one
// detached with its database in the state dir (workflows survive a restart), a PID file and a log.
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../config/state-dir.js';
import type { Settings } from '../config/settings.js';
import { ConnectionError, ProcessError, ToolMissingError, TshellError, ErrorCodes } from '../errors.js';
import { isLocalHost, parseAddress, serverHealthy, tcpProbe } from '../temporal/connection.js';
import { checkPidFile, removePidFile, writePidFile, type PidRecord } from './pidfile.js';
import { listeningProcess, readProc, sleep, startedAtMs } from './proc.js';
import { childEnv, findTool } from './tools.js';
import { failureLines, logTail, release, spawnDetached } from './spawn.js';
import { stopProcessTree } from './terminate.js';

export interface ServerFiles {
  pidFile: string;
  logFile: string;
  dbFile: string;
}

export function serverFiles(settings: Settings): ServerFiles {
  const { port } = parseAddress(settings.address);
  const dir = join(settings.stateDir, 'server');
  return {
    pidFile: join(dir, `server-${port}.pid`),
    logFile: join(dir, `server-${port}.log`),
    dbFile: join(dir, `temporal-${port}.db`),
  };
}

export function uiPort(settings: Settings): number | undefined {
  if (settings.uiPort !== undefined) return settings.uiPort;
  const { port } = parseAddress(settings.address);
  return Math.min(port + 1000, 65535);
}

export function uiUrl(settings: Settings): string {
  const { host } = parseAddress(settings.address);
  const shownHost = isLocalHost(host) ? 'localhost' : host;
  return `http://${shownHost}:${uiPort(settings)}`;
}

export function workflowUiUrl(settings: Settings, workflowId: string, runId?: string): string {
  const base = `${uiUrl(settings)}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}

export interface ServerState {
  address: string;
  reachable: boolean;
  /** The server process tshell started, when its PID file is verified. */
  managed?: { pid: number; uptimeMs: number; logFile: string; dbFile: string };
  uiUrl: string;
}

export async function serverState(settings: Settings): Promise<ServerState> {
  const files = serverFiles(settings);
  const check = checkPidFile(files.pidFile);
  if (check.state === 'dead' || check.state === 'reused' || check.state === 'unreadable') removePidFile(files.pidFile);
  const managed =
    check.state === 'alive'
      ? {
          pid: check.record.pid,
          uptimeMs: Date.now() - startedAtMs(check.proc),
          logFile: files.logFile,
          dbFile: files.dbFile,
        }
      : undefined;
  return { address: settings.address, reachable: await serverHealthy(settings), managed, uiUrl: uiUrl(settings) };
}

export interface EnsureServerResult {
  action: 'reused' | 'started';
  address: string;
  namespace: string;
  pid?: number;
  startedByTshell: boolean;
  tookMs: number;
  uiUrl: string;
  logFile?: string;
  dbFile?: string;
}

export async function ensureServer(
  settings: Settings,
  opts: { headless?: boolean; timeoutMs?: number; signal?: AbortSignal; progress?: (l: string) => void },
): Promise<EnsureServerResult> {
  const started = Date.now();
  const files = serverFiles(settings);
  if (await serverHealthy(settings)) {
    const check = checkPidFile(files.pidFile);
    return {
      action: 'reused',
      address: settings.address,
      namespace: settings.namespace,
      pid: check.state === 'alive' ? check.record.pid : undefined,
      startedByTshell: check.state === 'alive',
      tookMs: Date.now() - started,
      uiUrl: uiUrl(settings),
    };
  }
  const { host, port } = parseAddress(settings.address);
  if (!isLocalHost(host)) {
    throw new ConnectionError(settings.address, 'not a local address, so tshell will not start a server there');
  }
  if (await tcpProbe(settings.address, 500)) {
    const owner = listeningProcess(port);
    const who = owner ? ` (pid ${owner.pid}: ${owner.argv.join(' ').slice(0, 80)})` : '';
    throw new TshellError(
      `port ${port} is taken by a program that is not a Temporal server${who}`,
      ErrorCodes.server,
      'stop that program or pass --address localhost:<free port>',
    );
  }
  const temporal = findTool('temporal', settings.temporalCli || undefined);
  if (!temporal) {
    throw new ToolMissingError(
      'temporal CLI',
      'run `tshell setup` (installs it into the tools folder) or set TEMPORAL_CLI',
    );
  }
  ensurePrivateDir(join(files.pidFile, '..'));
  const ui = uiPort(settings);
  const argv = [
    temporal.path,
    'server',
    'start-dev',
    '--ip',
    host === 'localhost' ? '127.0.0.1' : host,
    '--port',
    String(port),
    '--db-filename',
    files.dbFile,
    ...(opts.headless ? ['--headless'] : ['--ui-port', String(ui)]),
    // Flag workflows whose workflow task keeps failing in the TemporalReportedProblems search
    // attribute (off by default on a self-hosted server); `stalled` queries it.
    '--dynamic-config-value',
    'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute=2',
  ];
  opts.progress?.(`starting temporal server start-dev on ${settings.address}…`);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const attempt = { files, timeoutMs, deadline: started + timeoutMs, signal: opts.signal };
  let launched = await launch(settings, argv, attempt);
  // The dev server picks its internal ports itself and can lose one to another process between
  // choosing and binding it (a Go panic at start-up): a second start gets fresh ones.
  if ('exited' in launched && worthAnotherStart(launched.lines)) {
    opts.progress?.(
      `the dev server exited while starting (${launched.lines[0] ?? launched.exited}); starting it once more…`,
    );
    launched = await launch(settings, argv, attempt);
  }
  if ('exited' in launched) {
    const taken = /can't set (\w+) port (\d+)/.exec(launched.lines.join('\n'));
    const hint =
      taken?.[1] === 'UI'
        ? `port ${taken[2]} (the Web UI's) is taken: pass --ui-port PORT, or --headless`
        : taken
          ? `port ${taken[2]} is taken: pass --address localhost:<free port>`
          : `full log: ${files.logFile}`;
    throw new ProcessError(`temporal server exited while starting (${launched.exited})`, launched.lines, hint, 2);
  }
  // The server creates its database with the default mode; keep it private (the dir is 0700 too).
  for (const f of [files.dbFile, `${files.dbFile}-wal`, `${files.dbFile}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  return {
    action: 'started',
    address: settings.address,
    namespace: settings.namespace,
    pid: launched.pid,
    startedByTshell: true,
    tookMs: Date.now() - started,
    uiUrl: opts.headless ? '' : uiUrl(settings),
    logFile: files.logFile,
    dbFile: files.dbFile,
  };
}

/**
 * A start-up death worth one more try: a panic, or an internal port lost in a race. Not a port the
 * CLI checked before starting (`can't set UI port …`): that one stays taken.
 */
export function worthAnotherStart(lines: string[]): boolean {
  const text = lines.join('\n');
  return /^panic: |address already in use/m.test(text) && !/can't set \w+ port/.test(text);
}

/** Starts the dev server and waits until it answers: its pid, or how it died and the log lines that say why. */
async function launch(
  settings: Settings,
  argv: string[],
  {
    files,
    deadline,
    timeoutMs,
    signal,
  }: { files: ServerFiles; deadline: number; timeoutMs: number; signal?: AbortSignal },
): Promise<{ pid: number } | { exited: string; lines: string[] }> {
  const proc = await spawnDetached(argv, {
    cwd: settings.stateDir,
    env: childEnv(),
    logFile: files.logFile,
    banner: `=== tshell: ${new Date().toISOString()} ${argv.join(' ')}`,
  });
  const info = readProc(proc.pid);
  const record: PidRecord = {
    kind: 'server',
    pid: proc.pid,
    startTicks: info?.startTicks ?? 0,
    argv,
    cwd: settings.stateDir,
    logFile: files.logFile,
    logOffset: proc.logOffset,
    startedAt: new Date().toISOString(),
    address: settings.address,
  };
  writePidFile(files.pidFile, record);
  while (Date.now() < deadline) {
    const exit = proc.hasExited();
    if (exit) {
      removePidFile(files.pidFile);
      return {
        exited: exit.code !== null ? `code ${exit.code}` : String(exit.signal),
        lines: failureLines(logTail(files.logFile, proc.logOffset, 400)),
      };
    }
    // The dev server tshell starts speaks plaintext, whatever TLS the settings ask of other servers.
    if (await serverHealthy({ address: settings.address })) {
      release(proc);
      return { pid: proc.pid };
    }
    await sleep(150, signal);
  }
  release(proc);
  throw new ProcessError(
    `temporal server did not answer within ${Math.round(timeoutMs / 1000)} s`,
    logTail(files.logFile, proc.logOffset, 10),
    `full log: ${files.logFile}`,
    2,
  );
}

export interface StopServerResult {
  address: string;
  stopped: boolean;
  pid?: number;
  reason: string;
}

/** `approve` sees the exact server about to be stopped (throws to keep it). */
export async function stopServer(
  settings: Settings,
  approve?: (target: { address: string; pid: number }) => Promise<void>,
): Promise<StopServerResult> {
  const files = serverFiles(settings);
  const check = checkPidFile(files.pidFile);
  if (check.state !== 'alive') {
    if (check.state !== 'unreadable' || check.file) removePidFile(files.pidFile);
    const running = await tcpProbe(settings.address, 500);
    return {
      address: settings.address,
      stopped: false,
      reason: running
        ? 'the server at this address was not started by tshell: not stopping it'
        : 'no server started by tshell is running at this address',
    };
  }
  await approve?.({ address: settings.address, pid: check.record.pid });
  const result = await stopProcessTree(check.proc, 10_000);
  removePidFile(files.pidFile);
  return { address: settings.address, stopped: true, pid: check.record.pid, reason: `stopped (${result.how})` };
}
