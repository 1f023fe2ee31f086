// Moving around: the current workflow (`use`) and its Web UI link.
import { UsageError } from '../errors.js';
import { workflowUiUrl } from '../processes/server.js';
import { searchPath } from '../processes/tools.js';
import { describeWorkflow } from '../temporal/workflows.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { workflowRef } from './resolve.js';
import { defineCommand } from '../cli-model/types.js';

export const useCommand = defineCommand({
  name: 'use',
  group: 'workflows',
  effect: 'act',
  summary: 'Make a workflow the current one (`use -` goes back to the previous one)',
  examples: ['use YourWorkflowId', 'use -'],
  flags: [],
  positionals: [{ name: 'id', description: 'workflow id, or - for the previous one', required: true }],
  fields: {
    workflowId: 'the current workflow now',
    runId: 'its run id',
    status: 'its status',
    previous: 'the workflow that was current before',
  },
  async run(ctx, args): Promise<{ workflowId: string; runId: string; status: string; previous?: string }> {
    let id = args.positionals[0] ?? '';
    const previous = ctx.session.current.workflowId;
    if (id === '-') {
      id = ctx.session.current.previousWorkflowId ?? '';
      if (!id) throw new UsageError('no previous workflow');
    }
    const h = await ctx.temporal();
    const d = await describeWorkflow(h, id);
    ctx.session.setWorkflow(d.workflowId, d.runId, ctx.settings.namespace);
    ctx.session.setStatus(d.status);
    return { workflowId: d.workflowId, runId: d.runId, status: d.status, previous };
  },
  render: (d, s) => `${s.ok} current workflow: ${s.c.bold(d.workflowId)} (${d.status})`,
});

export const uiCommand = defineCommand({
  name: 'ui',
  group: 'workflows',
  effect: 'read',
  summary: 'The Web UI link of the current workflow (--open opens it in a browser)',
  flags: [...WORKFLOW_REF, { name: 'open', type: 'boolean', description: 'open it with xdg-open / open' }],
  fields: { workflowId: 'workflow id', url: 'Web UI link', opened: 'a browser was asked to open it' },
  async run(ctx, args): Promise<{ workflowId: string; url: string; opened: boolean }> {
    const ref = workflowRef(ctx, args);
    const url = workflowUiUrl(
      ctx.settings,
      ref.workflowId,
      ref.runId ?? (ref.workflowId === ctx.session.current.workflowId ? ctx.session.current.runId : undefined),
    );
    let opened = false;
    if (args.flags.open) {
      const opener = ['xdg-open', 'open'].map((o) => searchPath(o, process.env.PATH)).find(Boolean);
      if (opener) {
        const { execa } = await import('execa');
        opened = (await execa(opener, [url], { reject: false, detached: true, stdio: 'ignore' })).exitCode === 0;
      }
    }
    return { workflowId: ref.workflowId, url, opened };
  },
  render: (d) => d.url,
});
