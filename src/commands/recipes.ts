// Recipes: the common troubleshooting sequences as named lists of registry
// commands, run through the one execution path, stopping at the first step that fails (and saying
// which). A step may accept exit code 1 where "found a problem" is the point (debug-stalled).
import { ExitCode, UsageError } from '../errors.js';
import { splitLine } from '../cli-model/line.js';
import type { CommandContext, FlagSpec, FlagValues, ParsedArgs } from '../cli-model/types.js';
import { defineCommand } from '../cli-model/types.js';
import { parseJsonFlag } from '../cli-model/args.js';
import { runCallStep, runStep, shownCall, shownLine, type CallStep } from './steps.js';

const RECIPE_FLAGS = [
  { name: 'signal', type: 'string', metavar: 'NAME', description: 'test-interactive: the signal to send' },
  { name: 'input', type: 'string', metavar: 'JSON', description: 'test-interactive: the signal input' },
  {
    name: 'type',
    type: 'string',
    description: 'test-interactive: start this workflow type directly (default: the starter)',
  },
  {
    name: 'start-input',
    type: 'string',
    metavar: 'JSON',
    description: 'test-interactive: the workflow input with --type',
  },
  { name: 'minutes', type: 'number', min: 0, default: 30, description: 'check-recent: the window' },
] as const satisfies readonly FlagSpec[];

type RecipeArgs = ParsedArgs<FlagValues<typeof RECIPE_FLAGS>>;

/** A text line as the user would type it, or a typed call built from values (ids, inputs). */
type Step = ({ line: string[] } | { call: CallStep }) & {
  /** Exit codes that count as success for this step (default: 0). */
  ok?: number[];
};

interface Recipe {
  summary: string;
  steps(args: RecipeArgs, ctx: CommandContext): Promise<Step[]> | Step[];
}

const step = (line: string, ok?: number[]): Step => ({ line: splitLine(line), ...(ok ? { ok } : {}) });

/** Builds the steps of check-recent from what `recent` returns: one `result --strict` per COMPLETED. */
async function checkRecentSteps(args: RecipeArgs, ctx: CommandContext): Promise<Step[]> {
  const minutes = String(args.flags.minutes);
  const listed = await ctx.call('recent', { minutes: args.flags.minutes, status: 'COMPLETED' });
  if (listed.exitCode !== 0) return [step(`recent --minutes ${minutes}`)];
  const { workflows } = listed.data as { workflows: { workflowId: string; runId: string }[] };
  return [
    step(`recent --minutes ${minutes}`),
    ...workflows.map((w) => ({
      call: { command: 'result', args: { id: w.workflowId, 'run-id': w.runId, strict: true } },
      ok: [0],
    })),
  ];
}

export const RECIPES: Record<string, Recipe> = {
  'clean-start': {
    summary: "stop tshell's workers, make sure the server runs, start a fresh worker, start a workflow",
    steps: () => [step('kill-all-workers'), step('ensure-server'), step('ensure-worker'), step('start')],
  },
  'debug-stalled': {
    summary: 'find stalled workflows, diagnose each, show the worker log',
    steps: () => [step('stalled', [0, 1]), step('diagnose --all', [0, 1]), step('logs --lines 30')],
  },
  'clear-stalled': {
    summary: 'close every stalled workflow (terminate: a stalled one cannot act on a cancel), then restart the worker',
    steps: () => [
      step('stalled', [0, 1]),
      step('bulk-cancel --stalled --terminate --reason "clear-stalled recipe"'),
      step('ensure-worker'),
    ],
  },
  'test-interactive': {
    summary:
      'start a workflow, wait until it runs, send it a signal, wait for it to complete, show the result, stop the worker',
    steps: (args) => {
      const signal = args.flags.signal;
      if (!signal)
        throw new UsageError(
          'recipe test-interactive needs --signal NAME',
          'recipe test-interactive --signal approve --input \'"yes"\'',
        );
      const type = args.flags.type;
      const input = args.flags.input;
      const startInput = args.flags['start-input'];
      return [
        step('ensure-worker'),
        {
          call: {
            command: 'start',
            args: type
              ? { type, ...(startInput !== undefined ? { input: [parseJsonFlag('--start-input', startInput)] } : {}) }
              : {},
          },
        },
        step('wait --status RUNNING --timeout 30'),
        {
          call: {
            command: 'signal',
            args: { name: signal, ...(input !== undefined ? { input: [parseJsonFlag('--input', input)] } : {}) },
          },
        },
        step('wait --status COMPLETED --timeout 60'),
        step('result --strict'),
        step('kill-worker'),
      ];
    },
  },
  'check-recent': {
    summary: 'list recent workflows and check every COMPLETED result for errors in disguise',
    steps: checkRecentSteps,
  },
};

interface RecipeData {
  recipe: string;
  ok: boolean;
  steps: { line: string; exitCode: number; output?: string }[];
  stoppedAt?: string;
}

export const recipeCommand = defineCommand({
  name: 'recipe',
  group: 'recipes',
  effect: 'act',
  summary: 'Run a named sequence of commands: ' + Object.keys(RECIPES).join(', '),
  examples: [
    'recipe clean-start',
    'recipe test-interactive --type ApprovalWorkflow --start-input \'"Ada"\' --signal approve --input \'"Bob"\'',
    'recipe check-recent --minutes 60',
  ],
  positionals: [
    {
      name: 'name',
      description: Object.entries(RECIPES)
        .map(([n, r]) => `${n}: ${r.summary}`)
        .join('; '),
      required: true,
      choices: Object.keys(RECIPES),
    },
  ],
  flags: RECIPE_FLAGS,
  fields: {
    recipe: 'its name',
    ok: 'every step succeeded',
    steps: '[{line, exitCode, output (with --json)}]',
    stoppedAt: 'the step that failed',
  },
  async run(ctx, args): Promise<RecipeData> {
    const name = args.positionals[0] ?? '';
    const recipe = RECIPES[name];
    if (!recipe) throw new UsageError(`unknown recipe: ${name}`, `recipes: ${Object.keys(RECIPES).join(', ')}`);
    const steps = await recipe.steps(args, ctx);
    const done: RecipeData['steps'] = [];
    for (const [i, s] of steps.entries()) {
      const line = 'line' in s ? shownLine(s.line) : shownCall(ctx, s.call);
      const label = `[${i + 1}/${steps.length}] ${line}`;
      const r = 'line' in s ? await runStep(ctx, s.line, { label }) : await runCallStep(ctx, s.call, { label });
      done.push({ line, ...r });
      if (!(s.ok ?? [0]).includes(r.exitCode)) return { recipe: name, ok: false, steps: done, stoppedAt: line };
    }
    return { recipe: name, ok: true, steps: done };
  },
  render: (d, s) =>
    d.ok
      ? `${s.ok} recipe ${d.recipe}: ${d.steps.length} steps ok`
      : `${s.fail} recipe ${d.recipe} stopped at step ${d.steps.length} (${d.stoppedAt}): exit code ${d.steps.at(-1)?.exitCode}`,
  exitCode: (d) => (d.ok ? ExitCode.ok : ExitCode.failure),
});
