// `tour`: a guided first session. It explains the parts of the local loop in a few lines each while
// doing it for real (server, worker, workflow, result), then breaks an activity on purpose in a
// scratch copy of examples/hello and hands over to the wizard, which names it, waits for the fix and
// shows the next attempt pass. Every step can be skipped; off a terminal it runs only with --yes.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '../errors.js';
import { sleep } from '../processes/proc.js';
import { packageRoot } from '../processes/tools.js';
import { runStep } from './steps.js';
import { uiUrl } from '../processes/server.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';

interface TourStep {
  id: string;
  title: string;
  /** Said before the step; the server step names the real address and Web UI. */
  explain: string | ((ctx: CommandContext) => string);
  lines(scratch: string): string[][];
  /** Runs before the lines (the deliberate break). */
  prepare?(ctx: CommandContext, scratch: string): Promise<void>;
}

export const BUG_MARK = '# TOUR-BUG';

/** Makes examples/hello's activity fail: the first line of its body raises. */
export function breakActivity(file: string): void {
  const text = readFileSync(file, 'utf8');
  if (text.includes(BUG_MARK)) return;
  writeFileSync(
    file,
    text.replace(
      /(async def compose_greeting\(name: str\) -> str:\n)/,
      `$1    raise RuntimeError("the tour broke this on purpose: delete this line")  ${BUG_MARK}\n`,
    ),
  );
}

async function waitForFailingActivity(ctx: CommandContext, scratch: string): Promise<boolean> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const r = await ctx.call('diagnose', { 'project-dir': scratch });
    const findings = (r.data as { findings?: { class: string }[] } | undefined)?.findings ?? [];
    if (findings.some((f) => f.class === 'activity-failing')) return true;
    await sleep(1000, ctx.signal);
  }
  return false;
}

const STEPS: TourStep[] = [
  {
    id: 'server',
    title: 'The server',
    explain: (ctx) =>
      `The Temporal server keeps the history of every workflow and hands out work on named task queues. Locally it is \`temporal server start-dev\` (gRPC on ${ctx.settings.address}, the Web UI on ${uiUrl(ctx.settings)}); tshell starts it once and reuses it.`,
    lines: () => [['ensure-server']],
  },
  {
    id: 'worker',
    title: 'The worker',
    explain:
      'Your code runs in a worker: a Python process that polls a task queue and runs the workflows and activities it registers. tshell keeps exactly one per project, with a PID file and a log.',
    lines: () => [['ensure-worker']],
  },
  {
    id: 'workflow',
    title: 'A workflow',
    explain:
      'A workflow is durable code: each step it takes is a workflow task, recorded in history, so it survives crashes. Real work (I/O, calls) happens in activities, which are retried when they fail. `start` runs the starter and remembers the workflow, so the next commands need no id.',
    lines: () => [['start'], ['wait', '--status', 'COMPLETED', '--timeout', '60'], ['result']],
  },
  {
    id: 'break',
    title: 'Something broken, on purpose',
    explain:
      "Now a scratch copy of examples/hello whose activity raises. A failing activity does not fail the workflow: the server retries it while the workflow waits. Let's start one and let the wizard find out what is wrong.",
    prepare: async (ctx, scratch) => {
      rmSync(scratch, { recursive: true, force: true });
      cpSync(join(packageRoot(), 'examples', 'hello'), scratch, {
        recursive: true,
        filter: (src) => !/(^|\/)(\.venv|__pycache__|uv\.lock)$/.test(src),
      });
      breakActivity(join(scratch, 'src', 'hello', 'activities.py'));
      // Its own task queue: the healthy examples/hello worker must not pick up the broken copy's work.
      const config = join(scratch, 'src', 'hello', 'config.py');
      writeFileSync(config, readFileSync(config, 'utf8').replace('"hello-tasks"', '"hello-tour-tasks"'));
      ctx.print(`  the broken line is in ${join(scratch, 'src', 'hello', 'activities.py')} (marked ${BUG_MARK})\n`);
    },
    lines: (scratch) => [
      ['ensure-worker', '--project-dir', scratch],
      ['start', '--project-dir', scratch],
    ],
  },
  {
    id: 'wizard',
    title: 'The wizard',
    explain:
      'The wizard answers what it can from the evidence (history, pollers, the worker log), names the cause, and proposes the fix. When it pauses, delete the marked line in the file above, save, and press Enter: it restarts the worker and shows the next attempt pass.',
    prepare: async (ctx, scratch) => {
      if (ctx.prompter) return;
      // Off a terminal nobody can edit the file while the wizard waits: the tour makes the fix itself.
      const file = join(scratch, 'src', 'hello', 'activities.py');
      writeFileSync(
        file,
        readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => !l.includes(BUG_MARK))
          .join('\n'),
      );
      ctx.print(`  (no terminal: the tour deleted the marked line itself)\n`);
    },
    lines: (scratch) => [['wizard', '--project-dir', scratch]],
  },
  {
    id: 'cleanup',
    title: 'Clean up',
    explain:
      "The scratch copy's worker is stopped; your own project's worker keeps running (`exit --cleanup` stops it when you leave).",
    lines: (scratch) => [['kill-worker', '--project-dir', scratch]],
  },
];

interface TourData {
  steps: { id: string; ran: boolean; exitCodes: number[] }[];
  completed: boolean;
}

export const tourCommand = defineCommand({
  name: 'tour',
  group: 'shell',
  effect: 'act',
  summary: 'A guided first session: server, worker, workflow, then a broken activity fixed with the wizard',
  examples: ['tour', 'tour --yes   # off a terminal: run every step'],
  flags: [],
  fields: { steps: '[{id, ran, exitCodes[]}]', completed: 'every step that ran succeeded' },
  async run(ctx): Promise<TourData> {
    // Its own name, so its worker's PID file and session never meet the real examples/hello's.
    const scratch = join(ctx.settings.stateDir, 'tour', 'hello-tour');
    const steps: TourData['steps'] = [];
    const say = (text: string) => {
      if (!ctx.json) ctx.print(`${text}\n`);
    };
    for (const [i, step] of STEPS.entries()) {
      say(
        `\n${ctx.style.c.bold(`${i + 1}/${STEPS.length} ${step.title}`)}\n  ${typeof step.explain === 'string' ? step.explain : step.explain(ctx)}`,
      );
      let choice: 'run' | 'skip' | 'stop' = ctx.yes ? 'run' : 'skip';
      if (ctx.prompter && !ctx.yes) {
        choice = await ctx.prompter.select(`${step.title}:`, [
          { value: 'run', name: 'do it' },
          { value: 'skip', name: 'skip this step' },
          { value: 'stop', name: 'end the tour' },
        ]);
      } else if (!ctx.yes) say(`  (not run: no terminal to ask; \`tour --yes\` runs every step)`);
      if (choice === 'stop') break;
      if (choice === 'skip') {
        steps.push({ id: step.id, ran: false, exitCodes: [] });
        continue;
      }
      await step.prepare?.(ctx, scratch);
      const codes: number[] = [];
      for (const line of step.lines(scratch)) {
        // "do it" (or --yes) was the consent to this step's lines, on tshell's own scratch copy.
        const r = await runStep(ctx, line, { consented: true });
        codes.push(r.exitCode);
        if (r.exitCode !== 0) break;
      }
      if (step.id === 'break' && !codes.some((c) => c !== 0)) {
        ctx.progress('letting the activity fail a few times…');
        if (!(await waitForFailingActivity(ctx, scratch))) codes.push(1);
      }
      steps.push({ id: step.id, ran: true, exitCodes: codes });
      if (codes.some((c) => c !== 0)) {
        say(`${ctx.style.fail} step "${step.title}" failed: the tour stops here`);
        break;
      }
    }
    const ranAll = steps.length === STEPS.length && steps.every((s) => s.ran);
    if (ranAll && existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
    return { steps, completed: steps.every((s) => s.exitCodes.every((c) => c === 0)) };
  },
  render: (d, s) =>
    d.completed
      ? `\n${s.ok} tour done: ${d.steps.filter((x) => x.ran).length} of ${d.steps.length} steps run`
      : `\n${s.fail} tour ended early`,
  exitCode: (d) => (d.completed ? ExitCode.ok : ExitCode.failure),
});
