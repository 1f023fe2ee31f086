// A command line run as one step of a larger command (recipe, wizard, tour): announced as `▸ line`
// (never `›`, which marks a script's own lines), its output captured instead of printed with --json.
import type { CommandContext } from '../cli-model/types.js';
import { joinWords } from '../cli-model/line.js';

/** The words as the user would type them (quoted where a word needs it). */
export const shownLine = joinWords;

export async function runStep(
  ctx: CommandContext,
  words: string[],
  opts: { label?: string; consented?: boolean } = {},
): Promise<{ exitCode: number; output?: string; data?: unknown }> {
  if (!ctx.json) ctx.print(`${ctx.style.c.bold(`▸ ${opts.label ?? shownLine(words)}`)}\n`);
  const r = await ctx.runLine(words, { quiet: ctx.json, ...(opts.consented ? { consented: true } : {}) });
  return {
    exitCode: r.exitCode,
    ...(ctx.json ? { output: r.output.trim() } : {}),
    ...(r.data !== undefined ? { data: r.data } : {}),
  };
}

/** A step that is a typed call: its values go to the command as they are, never through words. */
export interface CallStep {
  command: string;
  args: Record<string, unknown>;
}

/** How a typed step reads to a person (display only: the call itself runs with its values). */
export function shownCall(ctx: CommandContext, step: CallStep): string {
  const spec = ctx.registry.find(step.command);
  const positional = new Set((spec?.positionals ?? []).map((p) => p.name));
  const words = [
    step.command,
    ...(spec?.positionals ?? []).flatMap((p) =>
      typeof step.args[p.name] === 'string' ? [step.args[p.name] as string] : [],
    ),
  ];
  for (const [k, v] of Object.entries(step.args)) {
    if (positional.has(k) || v === undefined || v === false) continue;
    for (const one of Array.isArray(v) ? v : [v])
      words.push(
        ...(one === true
          ? [`--${k}`]
          : [
              `--${k}`,
              typeof one === 'string' && spec?.flags.find((f) => f.name === k)?.type !== 'json'
                ? one
                : JSON.stringify(one),
            ]),
      );
  }
  return shownLine(words);
}

export async function runCallStep(
  ctx: CommandContext,
  step: CallStep,
  opts: { label?: string } = {},
): Promise<{ exitCode: number; output?: string; data?: unknown }> {
  if (!ctx.json) ctx.print(`${ctx.style.c.bold(`▸ ${opts.label ?? shownCall(ctx, step)}`)}\n`);
  const r = await ctx.call(step.command, step.args, { quiet: ctx.json });
  return {
    exitCode: r.exitCode,
    ...(ctx.json ? { output: r.output.trim() } : {}),
    ...(r.data !== undefined ? { data: r.data } : {}),
  };
}
