// A command line run as one step of a larger command (recipe, wizard, tour): announced as `▸ line`
// (never `›`, which marks a script's own lines), its output captured instead of printed with --json.
import type { CommandContext } from '../cli-model/types.js';
import { joinWords } from '../cli-model/line.js';

/** The words as the user would type them (quoted where a word needs it). */
export const shownLine = joinWords;

export async function runStep(ctx: CommandContext, words: string[], label = shownLine(words)): Promise<{ exitCode: number; output?: string; data?: unknown }> {
  if (!ctx.json) ctx.print(`${ctx.style.c.bold(`▸ ${label}`)}\n`);
  const r = await ctx.runLine(words, { quiet: ctx.json });
  return { exitCode: r.exitCode, ...(ctx.json ? { output: r.output.trim() } : {}), ...(r.data !== undefined ? { data: r.data } : {}) };
}
