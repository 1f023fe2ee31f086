// Replaying a workflow's history against the project's current code with the Python SDK's Replayer,
// run in the project's own environment (python/tshell_replay.py). It proves non-determinism before
// anything is terminated, and names the history event where code and history part.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Settings } from '../config/settings.js';
import { ensurePrivateDir } from '../config/state-dir.js';
import { ErrorCodes, ProcessError, TshellError, UsageError } from '../errors.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { eventId, eventTypeName, fetchHistory, type HistoryEvent } from '../temporal/history.js';
import { childEnv, isPythonPath, packageRoot } from '../processes/tools.js';
import { splitCommand } from '../processes/spawn.js';
import { coldPython, type PythonRunner } from '../processes/python-run.js';
import { runningWorkerPython } from '../processes/running-worker.js';
import { bytecodeEnv, uvEnvironment, uvPython } from '../processes/project-env.js';
import type { Runner } from '../project/plan.js';
import * as z from 'zod/mini';
import { parseChecked } from '../checked-json.js';

/** One line of python/tshell_replay.py's output: one history's verdict. */
const ReplayLineSchema = z.object({
  /** Absent for a history read from a file that does not name its workflow. */
  workflowId: z.nullish(z.string()),
  runId: z.nullish(z.string()),
  workflowType: z.string(),
  /** The workflow classes the replayer found in the project. */
  classes: z.array(z.string()),
  /** Modules that could not be imported (or --workflows entries that were not workflows). */
  problems: z.array(z.string()),
  ok: z.boolean(),
  kind: z.optional(z.enum(['nondeterminism', 'failure', 'no-class'])),
  /** The core's reason, e.g. "Activity machine does not handle this event: …". */
  reason: z.optional(z.string()),
  /** The history event where the code and the history part, when the replayer names it. */
  eventId: z.optional(z.number()),
  eventType: z.optional(z.string()),
  message: z.optional(z.string()),
  /** The Python exception type when the replay failed. */
  errorType: z.optional(z.string()),
});

export type ReplayOutcome = Omit<z.infer<typeof ReplayLineSchema>, 'workflowId' | 'runId'> & {
  workflowId: string;
  runId: string;
  /** The workflow task to reset to (the last completed one before the divergence), if any progress would be kept. */
  resetTo?: { eventId: number; keeps: string; redoes: string };
  events: number;
};

/**
 * Where to replay without writing into the project: the interpreter of the worker that runs, else an
 * interpreter the worker command names, else the project's existing `.venv`, else tshell's own
 * environment for a uv project with none (built by `ensure-worker`), else the runner only when it
 * needs no environment made (plain python, an active or found venv). `uv run`/`poetry run` would
 * create a venv and a lock file in the user's project: never implicitly.
 */
export function replayPython(settings: Settings, runner: Runner): string[] {
  const running = runningWorkerPython(settings);
  if (running) return [running];
  const first = splitCommand(settings.workerCmd, 'worker command')[0] ?? '';
  if (isPythonPath(first)) return [first];
  const existing = uvPython(uvEnvironment(settings.workerDir, settings.stateDir));
  if (existing) return [existing];
  if (runner.kind === 'uv' || runner.kind === 'poetry') {
    throw new TshellError(
      `no environment to replay in: ${settings.projectDir} has no .venv, and no worker of it runs`,
      ErrorCodes.toolMissing,
      runner.kind === 'uv'
        ? "`ensure-worker` builds tshell's own environment for it (outside the project), or make one yourself (`uv sync`)"
        : 'start the worker once (`ensure-worker`), or make the environment yourself (`poetry install`): tshell never creates one in your project',
    );
  }
  return runner.python;
}

/**
 * The reset point for a divergence at `divergedAt`: the last WorkflowTaskCompleted before it. Resetting
 * there keeps every event up to that task's start and re-runs the task with the new code.
 */
export function resetPoint(events: HistoryEvent[], divergedAt: number): ReplayOutcome['resetTo'] {
  let point: number | undefined;
  for (const e of events) {
    const id = eventId(e);
    if (id >= divergedAt) break;
    if (eventTypeName(e) === 'WorkflowTaskCompleted') point = id;
  }
  if (point === undefined) return undefined;
  const kept = events.filter(
    (e) =>
      eventId(e) < point &&
      /^(ActivityTaskCompleted|TimerFired|WorkflowExecutionSignaled|ChildWorkflowExecutionCompleted|MarkerRecorded)$/.test(
        eventTypeName(e),
      ),
  );
  // The first workflow task completes before anything has happened: resetting there keeps nothing.
  if (kept.length === 0) return undefined;
  const keeps = kept.map((e) => `${eventTypeName(e)} (event ${eventId(e)})`).join(', ');
  return { eventId: point, keeps, redoes: `everything from event ${point} on, run by the new code` };
}

type Fetched = { workflowId: string; runId: string; events: HistoryEvent[] };

/**
 * Runs the replayer (python/tshell_replay.py) once over fetched histories, in the project's own
 * environment; one outcome per history it finished (a timeout stops it early, which the caller says).
 */
async function runReplayer(
  settings: Settings,
  python: string[],
  items: Fetched[],
  opts: { timeoutMs: number; workflows?: string[]; signal?: AbortSignal; runner?: PythonRunner },
): Promise<ReplayOutcome[]> {
  const { historyToJSON } = await import('@temporalio/common/lib/proto-utils.js');
  const dir = mkdtempSync(join(ensurePrivateDir(join(settings.stateDir, 'tmp')), 'replay-'));
  try {
    const file = join(dir, 'histories.json');
    writeFileSync(
      file,
      JSON.stringify(
        items.map((x) => ({
          workflowId: x.workflowId,
          runId: x.runId,
          history: JSON.parse(historyToJSON({ events: x.events } as Parameters<typeof historyToJSON>[0])) as unknown,
        })),
      ),
      { mode: 0o600 },
    );
    const script = join(packageRoot(), 'python', 'tshell_replay.py');
    const run = opts.runner ?? coldPython(python);
    const r = await run(
      script,
      [
        '--histories',
        file,
        '--project',
        settings.projectDir,
        ...(opts.workflows ?? []).flatMap((w) => ['--workflows', w]),
      ],
      {
        cwd: settings.projectDir,
        // No __pycache__ left in the user's project by tshell's own replays: bytecode goes to the state dir.
        env: childEnv({ TEMPORAL_ADDRESS: settings.address, ...bytecodeEnv(settings.stateDir) }),
        timeoutMs: opts.timeoutMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );
    const outcomes: ReplayOutcome[] = [];
    for (const line of String(r.stdout).split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      const said = parseChecked(ReplayLineSchema, line, "the replayer's output");
      const o = { ...said, workflowId: said.workflowId ?? '', runId: said.runId ?? '' };
      const x = items.find((u) => u.workflowId === o.workflowId && u.runId === o.runId);
      const resetTo = o.kind === 'nondeterminism' && o.eventId && x ? resetPoint(x.events, o.eventId) : undefined;
      outcomes.push({ ...o, events: x?.events.length ?? 0, ...(resetTo ? { resetTo } : {}) });
    }
    if (outcomes.length === 0 && !r.timedOut) {
      throw new ProcessError(
        `the replayer did not run (exit code ${r.exitCode ?? '?'})`,
        String(r.stderr).trim().split('\n').slice(-12),
        'is the project environment set up? (`doctor` checks it)',
      );
    }
    return outcomes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function replayWorkflow(
  h: TemporalHandle,
  settings: Settings,
  runner: Runner,
  workflowId: string,
  runId: string,
  workflows: string[],
  signal?: AbortSignal,
): Promise<Omit<ReplayOutcome, 'workflowId' | 'runId'>> {
  const argv = replayPython(settings, runner);
  const events = await fetchHistory(h, workflowId, runId, signal);
  const [outcome] = await runReplayer(settings, argv, [{ workflowId, runId, events }], {
    timeoutMs: 300_000,
    workflows,
    ...(signal ? { signal } : {}),
  });
  if (!outcome)
    throw new ProcessError(
      'the replayer did not finish within 300 s',
      [],
      'is the project environment set up? (`doctor` checks it)',
    );
  const { workflowId: _w, runId: _r, ...rest } = outcome;
  return rest;
}

export interface BatchReplay {
  /** Running workflows on the queue (up to the limit asked). */
  total: number;
  /** How many were replayed to a verdict (replays, or diverges) before the time budget ran out. */
  checked: number;
  outcomes: ReplayOutcome[];
  /** The ones whose history the current code cannot replay. */
  diverged: ReplayOutcome[];
  /** The ones that got no verdict, and why: a check that did not check is not a pass. */
  unchecked: { workflowId: string; runId: string; why: string }[];
}

/** A replay reached a verdict: it replayed, or it parted from the history (anything else did not check). */
function verdict(o: ReplayOutcome): boolean {
  return o.ok || o.kind === 'nondeterminism';
}

function uncheckedOf(
  refs: { workflowId: string; runId: string }[],
  outcomes: ReplayOutcome[],
  unreadable: Set<string>,
  budgetMs: number,
): BatchReplay['unchecked'] {
  return refs.flatMap((r) => {
    const o = outcomes.find((x) => x.workflowId === r.workflowId && x.runId === r.runId);
    if (o && verdict(o)) return [];
    const why = unreadable.has(r.runId)
      ? 'its history could not be read'
      : !o
        ? `the replayer did not reach it within ${Math.round(budgetMs / 1000)} s`
        : o.kind === 'no-class'
          ? `no workflow class ${o.workflowType} in the new code${o.problems.length ? ` (cannot import: ${o.problems.join(', ')})` : ''}`
          : `the replay failed: ${o.reason ?? o.message ?? o.errorType ?? 'unknown error'}`;
    return [{ workflowId: r.workflowId, runId: r.runId, why }];
  });
}

/**
 * Replays many histories against the project's current code in one Python process (the project's own
 * environment), newest first, within a time budget: the determinism gate and `replay --all`.
 */
export async function replayMany(
  h: TemporalHandle,
  settings: Settings,
  python: string[],
  refs: { workflowId: string; runId: string }[],
  opts: { budgetMs: number; signal?: AbortSignal; runner?: PythonRunner },
): Promise<BatchReplay> {
  const started = Date.now();
  const { mapLimit } = await import('../concurrency.js');
  // A history that cannot be read (closed and gone meanwhile) is left out, not fatal.
  const histories = await mapLimit(refs, 8, async (r) => ({
    ...r,
    events: await fetchHistory(h, r.workflowId, r.runId, opts.signal).catch(() => undefined),
  }));
  const usable = histories.filter((x): x is Fetched => x.events !== undefined);
  const unreadable = new Set(histories.filter((x) => x.events === undefined).map((x) => x.runId));
  if (usable.length === 0)
    return {
      total: refs.length,
      checked: 0,
      outcomes: [],
      diverged: [],
      unchecked: uncheckedOf(refs, [], unreadable, opts.budgetMs),
    };
  let outcomes: ReplayOutcome[];
  try {
    outcomes = await runReplayer(settings, python, usable, {
      timeoutMs: Math.max(1000, opts.budgetMs - (Date.now() - started)),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.runner ? { runner: opts.runner } : {}),
    });
  } catch (err) {
    if (!(err instanceof ProcessError)) throw err;
    // The replayer could not run at all: nothing was checked, and this is why.
    const why = [err.message, ...(err.details ?? []).slice(-1)].join(': ');
    return { total: refs.length, checked: 0, outcomes: [], diverged: [], unchecked: refs.map((r) => ({ ...r, why })) };
  }
  return {
    total: refs.length,
    checked: outcomes.filter(verdict).length,
    outcomes,
    diverged: outcomes.filter((o) => !o.ok && o.kind === 'nondeterminism'),
    unchecked: uncheckedOf(refs, outcomes, unreadable, opts.budgetMs),
  };
}

/**
 * Histories exported by `temporal workflow show -o json` or the Web UI's download, replayed the same
 * way: the file name stands for the workflow id (exports do not carry it).
 */
export async function replayFiles(
  settings: Settings,
  python: string[],
  files: string[],
  opts: { workflows?: string[]; signal?: AbortSignal } = {},
): Promise<BatchReplay> {
  const { historyFromJSON } = await import('@temporalio/common/lib/proto-utils.js');
  // A file that is not a history is refused without a word of its content (it may be anything).
  const hint = "export one with `temporal workflow show -w ID -o json > FILE` or the Web UI's download";
  const items: Fetched[] = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`cannot read history file ${file} (${code})`, hint);
    }
    let events: HistoryEvent[] = [];
    try {
      events = (historyFromJSON(JSON.parse(text)) as { events?: HistoryEvent[] }).events ?? [];
    } catch {
      events = [];
    }
    if (!events[0]?.workflowExecutionStartedEventAttributes) {
      throw new UsageError(
        `${file} is not a workflow history: expected {"events": [...]} starting with WorkflowExecutionStarted`,
        hint,
      );
    }
    const runId = events[0]?.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '';
    return { workflowId: basename(file).replace(/\.json$/, ''), runId, events };
  });
  const outcomes = await runReplayer(settings, python, items, {
    timeoutMs: 300_000,
    ...(opts.workflows ? { workflows: opts.workflows } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return {
    total: items.length,
    checked: outcomes.filter(verdict).length,
    outcomes,
    diverged: outcomes.filter((o) => !o.ok && o.kind === 'nondeterminism'),
    unchecked: uncheckedOf(items, outcomes, new Set(), 300_000),
  };
}
