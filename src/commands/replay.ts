// History repair: `replay` proves (or rules out) non-determinism against the project's current code;
// `reset` moves a workflow back to a workflow task so the new code redoes what follows.
import { ExitCode, UsageError } from '../errors.js';
import {
  replayFiles,
  replayMany,
  replayPython,
  replayWorkflow,
  type BatchReplay,
  type ReplayOutcome,
} from '../diagnosis/replay.js';
import { listExecutions, statusClause } from '../temporal/visibility.js';
import { card, table } from '../render/format.js';
import { mapTemporalError } from '../temporal/errors.js';
import { describeWorkflow, resetToTask } from '../temporal/workflows.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { consentToRunCode, describeTarget, previewLine } from './resolve.js';
import { defineCommand } from '../cli-model/types.js';

export const replayCommand = defineCommand({
  name: 'replay',
  group: 'diagnosis',
  effect: 'act',
  summary: "Replay the workflow's history against the project's current code (proves non-determinism)",
  examples: [
    'replay',
    'replay --id YourWorkflowId --workflows app.workflows:OrderWorkflow',
    'replay --all --query "WorkflowType=\'OrderWorkflow\'"',
    'replay --history-file order-42.json',
  ],
  flags: [
    ...WORKFLOW_REF,
    {
      name: 'workflows',
      type: 'string',
      multiple: true,
      metavar: 'MODULE:CLASS',
      description: 'workflow classes to replay with (default: every @workflow.defn in the project)',
    },
    {
      name: 'all',
      type: 'boolean',
      description: 'every RUNNING workflow (newest first): can the current code replay them all?',
    },
    { name: 'query', type: 'string', description: 'with --all: an extra visibility filter' },
    { name: 'limit', type: 'number', min: 1, integer: true, default: 50, description: 'with --all: at most this many' },
    {
      name: 'history-file',
      type: 'string',
      multiple: true,
      metavar: 'FILE',
      description:
        'replay a history exported by `temporal workflow show -o json` or the Web UI (repeat for more; no server needed)',
    },
  ],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    workflowType: 'its type',
    ok: 'true when the current code replays the history',
    kind: 'nondeterminism | failure | no-class',
    reason: "the SDK's reason",
    eventId: 'the history event where code and history part',
    eventType: "that event's type",
    message: 'the full replayer error',
    errorType: 'the Python exception type',
    classes: 'workflow classes found in the project',
    problems: 'modules that could not be imported',
    resetTo: '{eventId, keeps, redoes}: the workflow task a reset would go back to',
    events: 'history length',
    all: 'with --all or --history-file: {total, checked, outcomes[{workflowId (the file name for a file), runId, workflowType, ok, kind, eventId, eventType, reason}], diverged[], unchecked[{workflowId, runId, why}]}',
  },
  async run(ctx, args): Promise<ReplayOutcome | { all: BatchReplay }> {
    const files = args.flags['history-file'];
    if (files?.length) {
      if (args.flags.all || args.flags.id)
        throw new UsageError(
          '--history-file replays files, not workflows on the server',
          'drop --all/--id, or drop --history-file',
        );
      await consentToRunCode(ctx, ctx.settings.projectDir, 'the replayer');
      ctx.progress(`replaying ${files.length} history file(s) against the code in ${ctx.settings.projectDir}…`);
      return {
        all: await replayFiles(ctx.settings, replayPython(ctx.settings, ctx.project().plan.runner), files, {
          ...(args.flags.workflows ? { workflows: args.flags.workflows } : {}),
          signal: ctx.signal,
        }),
      };
    }
    await consentToRunCode(ctx, ctx.settings.projectDir, 'the replayer');
    if (args.flags.all) {
      const h = await ctx.temporal();
      const running = await listExecutions(
        h,
        [statusClause('RUNNING'), ...(args.flags.query ? [`(${args.flags.query})`] : [])].join(' AND '),
        args.flags.limit,
      );
      ctx.progress(`replaying ${running.length} running workflow(s) against the code in ${ctx.settings.projectDir}…`);
      return {
        all: await replayMany(
          h,
          ctx.settings,
          replayPython(ctx.settings, ctx.project().plan.runner),
          running.map((r) => ({ workflowId: r.workflowId, runId: r.runId })),
          { budgetMs: 300_000, signal: ctx.signal },
        ),
      };
    }
    const { h, desc } = await describeTarget(ctx, args);
    ctx.progress(`replaying ${desc.workflowId} against the code in ${ctx.settings.projectDir}…`);
    const outcome = await replayWorkflow(
      h,
      ctx.settings,
      ctx.project().plan.runner,
      desc.workflowId,
      desc.runId,
      args.flags.workflows ?? [],
      ctx.signal,
    );
    return { workflowId: desc.workflowId, runId: desc.runId, ...outcome };
  },
  render(d, s) {
    if ('all' in d) {
      const a = d.all;
      if (a.total === 0) return `${s.ok} no running workflow to replay`;
      const rows = a.outcomes.map((o) => [
        o.workflowId,
        o.workflowType,
        o.ok ? s.c.green('replays') : s.c.red(o.kind ?? 'fails'),
        o.eventId ? `event ${o.eventId} (${o.eventType ?? ''})` : '',
        o.reason ?? '',
      ]);
      return [
        table(s, ['workflow id', 'type', 'replay', 'where', 'reason'], rows),
        `${a.diverged.length ? s.fail : a.unchecked.length ? s.warn : s.ok} ${a.checked} of ${a.total} checked, ${a.diverged.length} diverge${a.unchecked.length ? `, ${a.unchecked.length} not checked` : ''}`,
      ].join('\n');
    }
    if (d.ok)
      return `${s.ok} the current code replays ${d.workflowId} (${d.workflowType}, ${d.events} events): deterministic`;
    if (d.kind === 'no-class') {
      return `${s.fail} no workflow class named ${d.workflowType} in the project (found: ${d.classes.join(', ') || 'none'})${d.problems.length ? `\n  could not import: ${d.problems.join('; ')}` : ''}\n  hint: name it with --workflows module:Class`;
    }
    const head =
      d.kind === 'nondeterminism'
        ? `${s.fail} non-deterministic: the current code and the history of ${d.workflowId} part${d.eventId ? ` at event ${d.eventId} (${d.eventType})` : ''}`
        : `${s.fail} the replay failed (not non-determinism): ${d.errorType ?? ''}`;
    const lines = [
      head,
      card(s, [
        ['reason', d.reason ?? d.message?.split('\n')[0]],
        ['workflow type', d.workflowType],
      ]),
    ];
    if (d.resetTo)
      lines.push(
        `  ${s.c.bold('reset')} --event ${d.resetTo.eventId} would keep ${d.resetTo.keeps} and redo ${d.resetTo.redoes}`,
      );
    return lines.join('\n');
  },
  exitCode: (d) =>
    'all' in d
      ? d.all.outcomes.every((o) => o.ok) && d.all.unchecked.length === 0
        ? ExitCode.ok
        : ExitCode.failure
      : d.ok
        ? ExitCode.ok
        : ExitCode.failure,
});

interface ResetData {
  workflowId: string;
  runId: string;
  eventId: number;
  newRunId: string;
  keeps?: string;
}

export const resetCommand = defineCommand({
  name: 'reset',
  group: 'workflows',
  effect: 'destructive',
  summary: 'Reset the workflow to a workflow task (default: the one before the point replay says the code diverges)',
  examples: ['reset', 'reset --event 10 --yes'],
  flags: [
    ...WORKFLOW_REF,
    {
      name: 'event',
      type: 'number',
      min: 1,
      integer: true,
      metavar: 'EVENT_ID',
      description: 'a WorkflowTaskCompleted event id (default: from `replay`)',
    },
    { name: 'reason', type: 'string', default: 'reset from tshell', description: 'recorded in history' },
  ],
  fields: {
    workflowId: 'workflow id',
    runId: 'the run that was reset',
    eventId: 'the workflow task event reset to',
    newRunId: 'the new run',
    keeps: 'what the new run keeps',
  },
  async run(ctx, args): Promise<ResetData> {
    const { h, desc } = await describeTarget(ctx, args);
    let eventId = args.flags.event;
    let keeps: string | undefined;
    if (eventId === undefined) {
      const replay = await replayWorkflow(
        h,
        ctx.settings,
        ctx.project().plan.runner,
        desc.workflowId,
        desc.runId,
        [],
        ctx.signal,
      );
      if (replay.ok)
        throw new UsageError(
          `the current code replays ${desc.workflowId}: nothing to reset to`,
          'pass --event N to reset anyway',
        );
      if (!replay.resetTo)
        throw new UsageError(
          'no workflow task with progress before the divergence: a reset would keep nothing',
          'terminate it and start a new workflow instead',
        );
      eventId = replay.resetTo.eventId;
      keeps = replay.resetTo.keeps;
    }
    const action = `reset ${previewLine(desc)} to event ${eventId}${keeps ? ` (keeps ${keeps})` : ''}? The current run is terminated.`;
    if (
      !(await ctx.consent({
        class: 'workflows',
        action,
        targets: [{ workflowId: desc.workflowId, runId: desc.runId, namespace: h.namespace, eventId }],
      }))
    ) {
      throw new UsageError('reset aborted: nothing was changed');
    }
    try {
      const newRunId = await resetToTask(h, desc.workflowId, desc.runId, eventId, args.flags.reason);
      await describeWorkflow(h, desc.workflowId, newRunId);
      ctx.session.setWorkflow(desc.workflowId, newRunId, ctx.settings.namespace);
      return { workflowId: desc.workflowId, runId: desc.runId, eventId, newRunId, ...(keeps ? { keeps } : {}) };
    } catch (err) {
      throw mapTemporalError(err, { address: h.address, namespace: h.namespace, workflowId: desc.workflowId });
    }
  },
  render: (d, s) =>
    `${s.ok} reset ${d.workflowId} to event ${d.eventId}: new run ${d.newRunId}${d.keeps ? ` (kept ${d.keeps})` : ''}`,
});
