// diagnose: evidence → findings, each with its fix procedure as tshell commands.
import { ExitCode } from '../errors.js';
import { mapLimit } from '../concurrency.js';
import { EvidenceCache, gatherEvidence } from '../diagnosis/evidence.js';
import { procedureSteps } from '../diagnosis/procedures.js';
import { classify, RULES, type Finding } from '../diagnosis/rules.js';
import { findStalled } from '../diagnosis/stalled.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { workflowRef } from './resolve.js';
import { defineCommand } from '../cli-model/types.js';

export interface Diagnosis {
  workflowId: string;
  runId: string;
  status: string;
  findings: Finding[];
}

const problem = (f: Finding) => RULES.find((r) => r.class === f.class)?.problem ?? true;

export const diagnoseCommand = defineCommand<{ diagnoses: Diagnosis[] } | Diagnosis>({
  name: 'diagnose',
  aliases: ['why'],
  group: 'diagnosis',
  summary: 'What is wrong with the workflow, the evidence, and the procedure that fixes it',
  examples: ['diagnose', 'diagnose --id YourWorkflowId --json', 'diagnose --all'],
  flags: [...WORKFLOW_REF, { name: 'all', type: 'boolean', description: 'every stalled workflow' }],
  fields: { workflowId: 'workflow id', runId: 'run id', status: 'status', findings: '[{class, severity, summary, evidence[{source, eventId, line, text}], procedure{id, steps[]}}]', diagnoses: 'with --all: one {workflowId, runId, status, findings} per stalled workflow' },
  async run(ctx, args) {
    const h = await ctx.temporal();
    const cache = new EvidenceCache(ctx.settings);
    const one = async (workflowId: string, runId?: string): Promise<Diagnosis> => {
      const ev = await gatherEvidence(h, ctx.settings, workflowId, runId, cache);
      return { workflowId: ev.desc.workflowId, runId: ev.desc.runId, status: ev.desc.status, findings: classify(ev, (id) => procedureSteps(id, ev.desc.workflowId)) };
    };
    if (args.flags.all) {
      const stalled = await findStalled(ctx.settings, h, {});
      return { diagnoses: await mapLimit(stalled.stalled, 8, (w) => one(w.workflowId, w.runId)) };
    }
    const ref = workflowRef(ctx, args);
    return one(ref.workflowId, ref.runId);
  },
  render(d, s) {
    const list = 'diagnoses' in d ? d.diagnoses : [d];
    if (list.length === 0) return `${s.ok} nothing stalled to diagnose`;
    return list
      .map((x) => {
        const lines = [`${x.findings.some(problem) ? s.fail : s.ok} ${s.c.bold(x.workflowId)} ${x.status}`];
        for (const f of x.findings) {
          lines.push(`${problem(f) ? s.warn : s.ok} ${s.c.bold(f.class)} (${f.severity}): ${f.summary}`);
          for (const e of f.evidence) lines.push(s.c.dim(`    ${e.source}${e.eventId ? ` event ${e.eventId}` : ''}${e.line ? ` line ${e.line}` : ''}: ${e.text}`));
          if (f.procedure.steps.length) lines.push(`  fix (${f.procedure.id}):`, ...f.procedure.steps.map((st) => `    ${st}`));
        }
        return lines.join('\n');
      })
      .join('\n\n');
  },
  exitCode: (d) => (('diagnoses' in d ? d.diagnoses : [d]).some((x) => x.findings.some(problem)) ? ExitCode.failure : ExitCode.ok),
});
