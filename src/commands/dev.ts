// `tshell dev`: the inner loop. The server is reused or started, the project's worker runs, and the
// Python files it loaded are watched. A save restarts it at once when no workflow code changed; when
// workflow code changed the running workflows are replayed on it first (the determinism gate) and the
// old worker stays if any would part from its history. Code that does not even import never replaces
// a working worker. Meanwhile the feed (dev-feed.ts) tells what the workflows and the worker do.
import { mtime } from '../project/discover.js';
import { join } from 'node:path';
import { projectKey } from '../config/state-dir.js';
import { WORKER_START } from '../cli-model/option-sets.js';
import { defineCommand } from '../cli-model/types.js';
import { toTshellError, UsageError } from '../errors.js';
import { determinismGate, type GateResult } from '../diagnosis/determinism-gate.js';
import { replayPython } from '../diagnosis/replay.js';
import { withLock } from '../processes/lock.js';
import { sleep } from '../processes/proc.js';
import { runningWorkerReport } from '../processes/running-worker.js';
import { ensureServer } from '../processes/server.js';
import { checkSources, workerCodeEnv } from '../processes/source-check.js';
import { coldPython, WarmPython, type PythonRunner } from '../processes/python-run.js';
import { watchSources } from '../processes/source-watch.js';
import { ensureWorker } from '../processes/worker.js';
import { findProjectWorkers } from '../processes/worker-find.js';
import type { WorkerReport } from '../processes/worker-report.js';
import { workerFiles } from '../config/state-dir.js';
import { toJson } from '../render/format.js';
import { resetToTask } from '../temporal/workflows.js';
import { devEvent, Diagnoser, eventLine, LogWatch, StallWatch, WorkflowWatch, type DevEvent } from './dev-feed.js';
import { chooseWorkerCommand, consentToRunCode, consentToStop } from './resolve.js';
import { ENVIRONMENT_FILES, watchedFiles } from './dev-files.js';

interface DevSummary {
  events: number;
  restarts: number;
  kept: number;
  workerPid?: number;
}

type Worker = { pid: number; taskQueue: string; report?: WorkerReport };

export const devCommand = defineCommand({
  name: 'dev',
  aliases: ['watch'],
  group: 'workers',
  effect: 'destructive',
  streams: true,
  background: true,
  summary:
    'Run the worker and follow your edits (replaying running workflows before workflow code changes), with a feed of what your workflows do',
  examples: ['dev', 'dev --json', 'dev --for 600'],
  flags: [
    {
      name: 'for',
      type: 'number',
      min: 0,
      metavar: 'SECONDS',
      description: 'stop after this many seconds (scripts need it; Ctrl-C ends it anywhere)',
    },
    {
      name: 'debounce',
      type: 'number',
      min: 0,
      integer: true,
      default: 150,
      metavar: 'MS',
      description: 'wait this long after the last save before acting',
    },
    ...WORKER_START,
  ],
  fields: {
    events: 'events fed (each printed as it happened, one JSON line: {at, event, ...})',
    restarts: 'workers restarted for a save',
    kept: 'saves that kept the old worker (code that does not import, or that running workflows cannot replay)',
    workerPid: 'the worker left running',
  },
  async run(ctx, args): Promise<DevSummary> {
    if ((ctx.mode === 'script' || ctx.mode === 'nested') && args.flags.for === undefined)
      throw new UsageError('dev in a script needs --for SECONDS', 'e.g. dev --for 600 (Ctrl-C ends it in a terminal)');
    const settings = await chooseWorkerCommand(ctx, args.flags.worker);
    await consentToRunCode(ctx, settings.workerDir, settings.workerCmd);
    const summary: DevSummary = { events: 0, restarts: 0, kept: 0 };
    let asking = false;
    const held: DevEvent[] = [];
    const show = (e: DevEvent) => ctx.print(`${ctx.json ? toJson(e, 0) : eventLine(e, ctx.style, settings)}\n`);
    const emit = (e: DevEvent) => {
      summary.events++;
      // While a question is on the terminal, events wait under it instead of breaking it.
      if (asking) held.push(e);
      else show(e);
    };
    const ask = async <T>(question: () => Promise<T>): Promise<T> => {
      asking = true;
      try {
        return await question();
      } finally {
        asking = false;
        held.splice(0).forEach(show);
      }
    };

    await withLock(
      settings.stateDir,
      'server',
      'dev',
      () => ensureServer(settings, { headless: true, signal: ctx.signal, progress: (l) => ctx.progress(l) }),
      { signal: ctx.signal },
    );
    const h = await ctx.temporal();
    const restart = (): Promise<Worker> =>
      withLock(
        settings.stateDir,
        `worker-${projectKey(settings)}`,
        'dev',
        async () => {
          const r = await ensureWorker(settings, {
            signal: ctx.signal,
            approve: (workers) => consentToStop(ctx, workers),
          });
          return { pid: r.pid, taskQueue: r.taskQueue, ...(r.report ? { report: r.report } : {}) };
        },
        { signal: ctx.signal },
      );

    // A worker of this project already running is kept (a save replaces it); otherwise one starts.
    const running = findProjectWorkers(settings).workers.find((w) => w.taskQueue);
    const report = running ? runningWorkerReport(settings) : undefined;
    let worker: Worker = running?.taskQueue
      ? { pid: running.pid, taskQueue: running.taskQueue, ...(report ? { report } : {}) }
      : await restart();
    let watched = watchedFiles(settings, worker.report);

    // Checks and replays run in a warm Python of the worker's environment (a new one when it changes).
    let warm: { key: string; python: WarmPython } | undefined;
    const pythonFor = (python: string[]): PythonRunner => {
      const key = [python.join(' '), ...ENVIRONMENT_FILES.map((f) => mtime(join(settings.projectDir, f)))].join('|');
      if (warm?.key !== key) {
        warm?.python.close();
        warm = { key, python: new WarmPython(python, settings.workerDir, workerCodeEnv(settings), settings.stateDir) };
        warm.python.warm();
      }
      const hot = warm.python;
      const cold = coldPython(python);
      // An interpreter that could not even start (no SDK in that environment) says why when run cold.
      return async (script, scriptArgs, o) => {
        const r = await hot.run(script, scriptArgs, o);
        return r.exitCode === undefined && !r.timedOut && !o.signal?.aborted ? cold(script, scriptArgs, o) : r;
      };
    };
    try {
      pythonFor(replayPython(settings, ctx.project().plan.runner));
    } catch {
      // no environment to check in yet: the first save says so
    }

    /** The old worker stays: why, and what the user may do instead. */
    const keep = (
      files: string[],
      why: Extract<DevEvent, { event: 'kept' }>['why'],
      message: string,
      more: Partial<Extract<DevEvent, { event: 'kept' }>> = {},
    ) => {
      summary.kept++;
      emit(devEvent({ event: 'kept', files, why, message, ...more }));
    };

    const replaceWorker = async (
      files: string[],
      savedAt: number,
      took: { checkMs: number; gateMs?: number },
      gate?: GateResult,
    ) => {
      const restartAt = Date.now();
      try {
        worker = await restart();
      } catch (err) {
        const e = toTshellError(err);
        keep(files, 'start-failed', `the new worker did not start: ${e.message}`, {
          choices: (e.details ?? []).slice(-6),
        });
        return false;
      }
      summary.restarts++;
      watched = watchedFiles(settings, worker.report);
      watch.set(watched.files);
      emit(
        devEvent({
          event: 'restarted',
          files,
          pid: worker.pid,
          taskQueue: worker.taskQueue,
          saveToPollMs: Date.now() - savedAt,
          ...(gate && !gate.skipped ? { gate: { checked: gate.checked, total: gate.total } } : {}),
          took: { ...took, restartMs: Date.now() - restartAt },
        }),
      );
      return true;
    };

    /** Running workflows would part from their histories: keep the old worker; on a terminal, offer the ways out. */
    const diverged = async (
      files: string[],
      savedAt: number,
      took: { checkMs: number; gateMs?: number },
      gate: GateResult,
    ) => {
      const list = gate.diverged;
      const resettable = list.every((d) => d.resetTo);
      const choices = [
        ...(resettable
          ? list.map((d) => `reset --id ${d.workflowId} --run-id ${d.runId} --event ${d.resetTo} (then save again)`)
          : []),
        ...list.map((d) => `terminate --id ${d.workflowId} --run-id ${d.runId}`),
        'ensure-worker --force (restart anyway: they fail their next workflow task)',
      ];
      keep(files, 'diverged', `${list.length} running workflow(s) cannot replay the new code`, {
        diverged: list.map(({ reason: _r, ...d }) => d),
        choices,
      });
      const prompter = ctx.prompter;
      if (!prompter) return;
      const pick = await ask(() =>
        prompter.select('What now?', [
          ...(resettable
            ? [
                {
                  value: 'reset' as const,
                  name: `reset ${list.length === 1 ? 'it' : 'them'} to before the divergence, on the new worker`,
                },
              ]
            : []),
          { value: 'terminate' as const, name: `terminate ${list.length === 1 ? 'it' : 'them'}, then restart` },
          { value: 'restart' as const, name: 'restart anyway (they fail their next workflow task)' },
          { value: 'keep' as const, name: 'keep the old worker' },
        ]),
      );
      if (pick === 'keep') return;
      if (pick !== 'restart') {
        const targets = list.map((d) => ({
          workflowId: d.workflowId,
          runId: d.runId,
          namespace: h.namespace,
          ...(pick === 'reset' ? { eventId: d.resetTo } : {}),
        }));
        const what = list.map((d) => `${d.workflowId}${pick === 'reset' ? ` to event ${d.resetTo}` : ''}`).join(', ');
        if (!(await ask(() => ctx.consent({ class: 'workflows', action: `${pick} ${what}?`, targets })))) return;
      }
      if (pick === 'terminate') {
        for (const d of list) {
          await h.client.workflow
            .getHandle(d.workflowId, d.runId)
            .terminate('terminated from tshell dev: it cannot replay the new code');
          emit(devEvent({ event: 'acted', action: 'terminate', workflowId: d.workflowId, runId: d.runId }));
        }
      }
      // The old worker goes first: a reset run must be picked up by the new code, not the old.
      if (!(await replaceWorker(files, savedAt, took, gate))) return;
      if (pick === 'reset') {
        for (const d of list) {
          const newRunId = await resetToTask(
            h,
            d.workflowId,
            d.runId,
            d.resetTo ?? 0,
            'reset from tshell dev: to before it parts from the new code',
          );
          emit(devEvent({ event: 'acted', action: 'reset', workflowId: d.workflowId, runId: d.runId, newRunId }));
        }
      }
    };

    const onSave = async (files: string[], savedAt: number) => {
      const kind = files.some((f) => watched.workflowFiles.has(f)) ? 'workflow' : 'activity';
      emit(devEvent({ event: 'change', files, kind }));
      let python: string[];
      try {
        python = replayPython(settings, ctx.project().plan.runner);
      } catch (err) {
        keep(files, 'unchecked', `the new code could not be checked: ${toTshellError(err).message}`);
        return;
      }
      const runner = pythonFor(python);
      const checkAt = Date.now();
      const check = await checkSources(settings, runner, files, ctx.signal);
      const checkMs = Date.now() - checkAt;
      if (check.ok === false)
        return keep(files, 'does-not-import', check.message, {
          file: check.file,
          ...(check.line ? { line: check.line } : {}),
        });
      if (check.ok === 'unchecked') return keep(files, 'unchecked', `the new code could not be checked: ${check.why}`);
      if (kind === 'activity') return void (await replaceWorker(files, savedAt, { checkMs }));
      const gateAt = Date.now();
      const gate = await determinismGate(h, settings, () => python, {
        limit: 50,
        budgetMs: args.flags['gate-timeout'] * 1000,
        signal: ctx.signal,
        changed: true,
        runner,
      });
      const took = { checkMs, gateMs: Date.now() - gateAt };
      if (gate.diverged.length) return diverged(files, savedAt, took, gate);
      if (gate.unchecked.length)
        return keep(
          files,
          'unchecked',
          `${gate.unchecked.length} of ${gate.total} running workflow(s) could not be checked against the new code: ${gate.unchecked[0]?.why ?? ''}`,
          { choices: ['ensure-worker --force (restart anyway)'] },
        );
      await replaceWorker(files, savedAt, took, gate);
    };

    // One save at a time; saves made meanwhile are taken together next.
    let busy: Promise<void> = Promise.resolve();
    const queued = new Map<string, number>();
    const queue = (changed: string[], at: number) => {
      for (const f of changed) if (!queued.has(f)) queued.set(f, at);
      busy = busy.then(async () => {
        if (queued.size === 0) return;
        const files = [...queued.keys()].sort();
        const at = Math.min(...queued.values());
        queued.clear();
        await onSave(files, at).catch((err: unknown) => {
          if (!ctx.signal.aborted) keep(files, 'unchecked', toTshellError(err).message);
        });
      });
    };
    const watch = watchSources(watched.files, queue, args.flags.debounce);
    // Said once the files are watched: a save from now on is seen.
    emit(
      devEvent({
        event: 'watching',
        pid: worker.pid,
        taskQueue: worker.taskQueue,
        files: watched.files,
        workflowFiles: [...watched.workflowFiles],
      }),
    );
    // A worker found running on older code is replaced the way a save would replace it (the gate first).
    if (running) {
      const startedAt = Date.now() - running.uptimeMs;
      const newer = watched.files.filter((f) => mtime(f) > startedAt + 1000);
      if (newer.length) queue(newer, Date.now());
    }

    const feed = new WorkflowWatch(h);
    const diagnoser = new Diagnoser(settings);
    const log = new LogWatch(workerFiles(settings).logFile, settings, diagnoser);
    const stalls = new StallWatch(settings, diagnoser);
    const stopAt = args.flags.for !== undefined ? Date.now() + args.flags.for * 1000 : Number.POSITIVE_INFINITY;
    let nextList = 0;
    try {
      while (!ctx.signal.aborted && Date.now() < stopAt) {
        for (const e of await log.poll(h).catch(() => [])) emit(devEvent(e));
        if (Date.now() >= nextList) {
          nextList = Date.now() + 1000;
          for (const e of await feed.poll(worker.taskQueue).catch(() => [])) emit(devEvent(e));
          for (const e of await stalls.poll(h, worker.taskQueue).catch(() => [])) emit(devEvent(e));
        }
        await sleep(250, ctx.signal).catch(() => undefined);
      }
    } finally {
      watch.close();
    }
    await busy;
    warm?.python.close();
    summary.workerPid = worker.pid;
    emit(devEvent({ event: 'stopped', workerPid: worker.pid }));
    return summary;
  },
  // Everything was said as it happened.
  render: () => '',
});
