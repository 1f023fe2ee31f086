// Server commands: ensure-server, server status|stop.
import { HELPER_STATUS_FIELDS, helperStatus, type HelperStatus } from '../processes/helper.js';
import { consentToStopServer } from './resolve.js';
import {
  ensureServer,
  serverState,
  stopServer,
  type EnsureServerResult,
  type ServerState,
  type StopServerResult,
} from '../processes/server.js';
import { card, formatDuration, helperLine } from '../render/format.js';
import { withLock } from '../processes/lock.js';
import { ExitCode } from '../errors.js';
import { defineCommand } from '../cli-model/types.js';

export const ensureServerCommand = defineCommand({
  name: 'ensure-server',
  aliases: ['server-start'],
  group: 'server',
  effect: 'act',
  summary: 'Reuse the Temporal server at the address, or start a local dev server',
  examples: ['ensure-server', 'ensure-server --address localhost:7300 --headless'],
  flags: [
    { name: 'headless', type: 'boolean', description: 'start the dev server without the Web UI' },
    {
      name: 'timeout',
      type: 'number',
      min: 0,
      default: 60,
      metavar: 'SECONDS',
      description: 'how long to wait for the server to answer',
    },
  ],
  fields: {
    action: 'reused or started',
    address: 'gRPC address',
    namespace: 'namespace',
    pid: 'server pid when tshell started it',
    startedByTshell: 'tshell started it (PID file verified)',
    tookMs: 'how long it took',
    uiUrl: 'Web UI',
    logFile: 'server log',
    dbFile: 'database file',
  },
  async run(ctx, args): Promise<EnsureServerResult> {
    return withLock(
      ctx.settings.stateDir,
      'server',
      'ensure-server',
      () =>
        ensureServer(ctx.settings, {
          headless: Boolean(args.flags.headless),
          timeoutMs: args.flags.timeout * 1000,
          signal: ctx.signal,
          progress: (l) => ctx.progress(l),
        }),
      { signal: ctx.signal },
    );
  },
  render(d, s) {
    const head =
      d.action === 'reused'
        ? `${s.ok} reusing the Temporal server at ${d.address}${d.startedByTshell ? ` (started by tshell, pid ${d.pid})` : ' (not started by tshell)'}`
        : `${s.ok} started temporal server start-dev at ${d.address} in ${formatDuration(d.tookMs)} (pid ${d.pid})`;
    return [
      head,
      card(s, [
        ['web ui', d.uiUrl || '(headless)'],
        ['namespace', d.namespace],
        ['database', d.dbFile],
        ['log', d.logFile],
      ]),
    ].join('\n');
  },
});

type ServerActionResult =
  ({ action: 'status'; helper?: HelperStatus } & ServerState) | ({ action: 'stop' } & StopServerResult);

export const serverCommand = defineCommand({
  name: 'server',
  group: 'server',
  effect: 'destructive',
  summary: 'Show the server status, or stop the dev server tshell started',
  examples: ['server status', 'server stop'],
  flags: [],
  positionals: [{ name: 'action', description: 'status or stop', choices: ['status', 'stop'] }],
  fields: {
    action: 'status or stop',
    address: 'gRPC address',
    reachable: 'status: the server answers',
    managed: 'status: {pid, uptimeMs, logFile, dbFile} of the server tshell started',
    uiUrl: 'status: Web UI',
    stopped: 'stop: it was stopped',
    pid: 'stop: its pid',
    reason: 'stop: what happened',
    helper: `status: ${HELPER_STATUS_FIELDS} of the warm helper, when it runs`,
  },
  async run(ctx, args): Promise<ServerActionResult> {
    const action = args.positionals[0] ?? 'status';
    if (action === 'stop')
      return { action: 'stop', ...(await stopServer(ctx.settings, (t) => consentToStopServer(ctx, t))) };
    const helper = helperStatus(ctx.settings.stateDir);
    return { action: 'status', ...(await serverState(ctx.settings)), ...(helper.running ? { helper } : {}) };
  },
  render(d, s) {
    if (d.action === 'stop')
      return `${d.stopped ? s.ok : s.warn} server at ${d.address}: ${d.reason}${d.pid ? ` (pid ${d.pid})` : ''}`;
    const lines = [
      `${d.reachable ? s.ok : s.fail} Temporal at ${d.address} ${d.reachable ? 'is serving' : 'is not reachable'}`,
    ];
    // One card, so every label lines up.
    const rows: [string, string | number | undefined][] = d.managed
      ? [
          ['pid', d.managed.pid],
          ['uptime', formatDuration(d.managed.uptimeMs)],
          ['log', d.managed.logFile],
          ['database', d.managed.dbFile],
        ]
      : [];
    if (d.reachable) rows.push(['web ui', d.uiUrl]);
    if (!d.managed && d.reachable) rows.push(['started by', 'not tshell']);
    if (d.helper) rows.push(['warm helper', helperLine(d.helper)]);
    if (rows.length) lines.push(card(s, rows));
    if (!d.reachable) lines.push('  hint: run `ensure-server`');
    return lines.join('\n');
  },
  exitCode: (d) => (d.action === 'status' && !d.reachable ? ExitCode.failure : ExitCode.ok),
});
