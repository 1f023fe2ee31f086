// diagnose: evidence → findings, each with its fix procedure as tshell commands.
import { ExitCode, toTshellError } from '../errors.js';
import { mapSettled } from '../concurrency.js';
import { EvidenceCache } from '../diagnosis/evidence.js';
import { type Finding } from '../diagnosis/rules.js';
import { classSpec } from '../diagnosis/classes.js';
import { findStalled } from '../diagnosis/stalled.js';
import { diagnoseSchedule, scheduleHasProblem, type ScheduleDiagnosis } from '../diagnosis/schedule.js';
import { diagnoseDeep, type DiagnosedNode } from '../diagnosis/children.js';
import type { Style } from '../render/style.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { workflowRef } from './resolve.js';
import { defineCommand } from '../cli-model/types.js';

export interface Diagnosis {
  workflowId: string;
  runId: string;
  status: string;
  findings: Finding[];
  /** With --all: this workflow could not be diagnosed (the others still are). */
  error?: { code: string; message: string };
}

const problem = (f: Finding) => classSpec(f.class).problem;

export const diagnoseCommand = defineCommand({
  name: 'diagnose',
  warm: true,
  aliases: ['why'],
  group: 'diagnosis',
  effect: 'read',
  summary: 'What is wrong with the workflow, the evidence, and the procedure that fixes it',
  examples: ['diagnose', 'diagnose --id YourWorkflowId --json', 'diagnose --all', 'diagnose --schedule nightly-report'],
  flags: [
    ...WORKFLOW_REF,
    { name: 'all', type: 'boolean', description: 'every stalled workflow' },
    {
      name: 'schedule',
      type: 'string',
      metavar: 'SCHEDULE_ID',
      description: 'a schedule: paused, skipped or missed actions, its last runs',
    },
  ],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    status: 'status',
    findings:
      '[{class, severity, summary, evidence[{source, eventId, line, text}], procedure{id, steps[]}, waitingOn[{kind, name, since, firesAt, seconds, attempt, nextAttemptAt, eventId, received}] (waiting only; kinds as in describe)}]',
    diagnoses:
      'with --all: one {workflowId, runId, status, findings, error} per stalled workflow (error: {code, message} when that one could not be diagnosed)',
    schedule: 'with --schedule: the schedule (as `schedule describe`)',
    runs: 'with --schedule: its last runs, newest first: {workflowId, runId, status, scheduledAt, finding{class, summary}}',
  },
  async run(ctx, args): Promise<{ diagnoses: Diagnosis[] } | Diagnosis | ScheduleDiagnosis> {
    const h = await ctx.temporal();
    if (args.flags.schedule !== undefined) return diagnoseSchedule(h, ctx.settings, args.flags.schedule);
    const cache = new EvidenceCache(ctx.settings);
    const one = async (workflowId: string, runId?: string): Promise<Diagnosis> => {
      const { node } = await diagnoseDeep(h, ctx.settings, workflowId, runId, cache);
      return { workflowId: node.workflowId, runId: node.runId, status: node.status, findings: node.findings };
    };
    if (args.flags.all) {
      const stalled = await findStalled(ctx.settings, h, {});
      const settled = await mapSettled(stalled.stalled, 8, (w) => one(w.workflowId, w.runId));
      return {
        diagnoses: settled.map((r, i): Diagnosis => {
          if (r.ok) return r.value;
          const w = stalled.stalled[i]!;
          const e = toTshellError(r.error);
          return {
            workflowId: w.workflowId,
            runId: w.runId,
            status: 'UNKNOWN',
            findings: [],
            error: { code: e.code, message: e.message },
          };
        }),
      };
    }
    const ref = workflowRef(ctx, args);
    return one(ref.workflowId, ref.runId);
  },
  render(d, s) {
    if ('schedule' in d) return scheduleLines(d, s).join('\n');
    const list = 'diagnoses' in d ? d.diagnoses : [d];
    if (list.length === 0) return `${s.ok} nothing stalled to diagnose`;
    return list
      .map((x) => {
        if (x.error) return `${s.fail} ${s.c.bold(x.workflowId)} could not be diagnosed: ${x.error.message}`;
        const lines = [`${x.findings.some(problem) ? s.fail : s.ok} ${s.c.bold(x.workflowId)} ${x.status}`];
        for (const f of x.findings) {
          lines.push(
            `${problem(f) || classSpec(f.class).advisory ? s.warn : s.ok} ${s.c.bold(f.class)} (${f.severity}): ${f.summary}`,
          );
          for (const e of f.evidence)
            lines.push(
              s.c.dim(
                `    ${e.source}${e.eventId ? ` event ${e.eventId}` : ''}${e.line ? ` line ${e.line}` : ''}: ${e.text}`,
              ),
            );
          if (f.procedure.steps.length)
            lines.push(`  fix (${f.procedure.id}):`, ...f.procedure.steps.map((st) => `    ${st}`));
        }
        return lines.join('\n');
      })
      .join('\n\n');
  },
  exitCode: (d) => {
    if ('schedule' in d) return scheduleHasProblem(d) ? ExitCode.failure : ExitCode.ok;
    return ('diagnoses' in d ? d.diagnoses : [d]).some((x) => x.error || x.findings.some(problem))
      ? ExitCode.failure
      : ExitCode.ok;
  },
});

function scheduleLines(d: ScheduleDiagnosis, s: Style): string[] {
  const x = d.schedule;
  const lines = [
    `${scheduleHasProblem(d) ? s.fail : s.ok} schedule ${s.c.bold(x.scheduleId)} ${x.paused ? 'paused' : 'active'}: ${x.workflowType ?? '?'}, ${x.spec}`,
  ];
  for (const f of d.findings) {
    lines.push(`${f.severity === 'info' ? s.ok : s.warn} ${s.c.bold(f.kind)} (${f.severity}): ${f.summary}`);
    for (const e of f.evidence) lines.push(s.c.dim(`    ${e}`));
    if (f.fix.length) lines.push('  fix:', ...f.fix.map((st) => `    ${st}`));
  }
  if (d.runs.length)
    lines.push(
      'last runs:',
      ...d.runs.map(
        (r) =>
          `  ${r.workflowId} ${r.status}${r.finding ? ` · ${r.finding.class}: ${r.finding.summary}` : ''}${r.error ? ` · ${r.error}` : ''}`,
      ),
    );
  lines.push(`next runs: ${x.paused ? 'none while paused' : x.nextRuns.slice(0, 3).join(', ') || 'none'}`);
  return lines;
}

function treeLines(n: DiagnosedNode, s: Style, prefix = '', last = true, root = true): string[] {
  const f = n.findings[0];
  const mark = f && classSpec(f.class).problem ? s.fail : s.ok;
  const head = `${root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`}${mark} ${s.c.bold(n.workflowId)} ${s.c.dim(`(${n.type})`)} ${n.status}${f ? ` · ${f.class}: ${f.summary}` : ''}`;
  const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
  return [head, ...n.children.flatMap((c, i) => treeLines(c, s, childPrefix, i === n.children.length - 1, false))];
}

export const traceCommand = defineCommand({
  name: 'trace',
  warm: true,
  group: 'diagnosis',
  effect: 'read',
  summary: 'The workflow and its running child workflows as a tree, each with its status and diagnosis',
  examples: ['trace', 'trace --id YourParentWorkflowId --json'],
  flags: [...WORKFLOW_REF],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    type: 'workflow type',
    status: 'status',
    findings: 'its findings (as diagnose)',
    children: 'its running children, each the same shape (depth ≤ 5)',
  },
  async run(ctx, args): Promise<DiagnosedNode> {
    const ref = workflowRef(ctx, args);
    const h = await ctx.temporal();
    return (await diagnoseDeep(h, ctx.settings, ref.workflowId, ref.runId)).node;
  },
  render: (d, s) => treeLines(d, s).join('\n'),
  exitCode: (d) => (d.findings.some((f) => classSpec(f.class).problem) ? ExitCode.failure : ExitCode.ok),
});
