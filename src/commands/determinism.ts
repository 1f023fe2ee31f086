// The determinism gate as ensure-worker uses it: replay first, and when running workflows would no
// longer replay, keep the old worker and say what to do (a terminal may choose to restart anyway).
import { ExitCode, ErrorCodes, TshellError } from '../errors.js';
import type { Settings } from '../config/settings.js';
import { determinismGate, type GateResult } from '../diagnosis/determinism-gate.js';
import { replayPython } from '../diagnosis/replay.js';
import { tcpProbe } from '../temporal/connection.js';
import type { CommandContext } from '../cli-model/types.js';

export function divergenceLines(g: GateResult): string[] {
  return g.diverged.map((d) => `${d.workflowId}: diverges at event ${d.eventId ?? '?'}${d.eventType ? ` (${d.eventType})` : ''}${d.reason ? `: ${d.reason}` : ''}`);
}

export function uncheckedLines(g: GateResult): string[] {
  return g.unchecked.map((u) => `${u.workflowId}: not checked: ${u.why}`);
}

/**
 * Running workflows the gate could not check: the restart is not proven safe, so the old worker stays
 * unless a terminal says restart anyway (`--force` skips the gate).
 */
async function uncheckedRestart(ctx: CommandContext, gate: GateResult): Promise<GateResult> {
  const head = `checked ${gate.checked} of ${gate.total} running workflow(s) on ${gate.taskQueue}: ${gate.unchecked.length} could not be checked against the new code`;
  if (ctx.prompter) {
    ctx.print(`${ctx.style.warn} ${head}:\n${uncheckedLines(gate).map((l) => `  ${l}`).join('\n')}\n`);
    const pick = await ctx.prompter.select('Restart the worker anyway?', [
      { value: 'keep', name: 'no: keep the old worker running' },
      { value: 'restart', name: 'yes: restart it (unchecked workflows may fail their next workflow task)' },
    ]);
    if (pick === 'restart') return gate;
  }
  throw new TshellError(`not restarting: ${head} (the old worker keeps running)`, ErrorCodes.usage, 'fix what stopped the check (above), or `ensure-worker --force` to restart anyway', ExitCode.failure, uncheckedLines(gate));
}

/** Runs the gate unless --force; throws (exit 1) when the restart would wedge running workflows. */
export async function gateRestart(ctx: CommandContext, settings: Settings, force: boolean): Promise<GateResult | undefined> {
  if (force || !(await tcpProbe(settings.address, 300))) return undefined;
  const h = await ctx.temporal();
  const gate = await determinismGate(h, settings, () => replayPython(settings, ctx.project().plan.runner), { limit: 50, budgetMs: 15_000, signal: ctx.signal, progress: (l) => ctx.progress(l) });
  if (gate.diverged.length === 0) return gate.unchecked.length ? uncheckedRestart(ctx, gate) : gate;
  const choices = 'keep the old worker (nothing was stopped), `reset --id ID` or `terminate --id ID` each, or `ensure-worker --force` to restart anyway';
  if (ctx.prompter) {
    ctx.print(`${ctx.style.fail} ${gate.diverged.length} running workflow(s) cannot replay the new code:\n${divergenceLines(gate).map((l) => `  ${l}`).join('\n')}\n`);
    const pick = await ctx.prompter.select('Restart the worker anyway?', [
      { value: 'keep', name: 'no: keep the old worker running (reset or terminate those workflows first)' },
      { value: 'restart', name: 'yes: restart it (those workflows will fail their next workflow task)' },
    ]);
    if (pick === 'restart') return gate;
    throw new TshellError('kept the old worker: nothing was stopped', ErrorCodes.usage, choices, ExitCode.failure);
  }
  throw new TshellError(
    `not restarting: ${gate.diverged.length} of ${gate.checked} running workflow(s) on ${gate.taskQueue} cannot replay the new code (the old worker keeps running)`,
    ErrorCodes.usage,
    choices,
    ExitCode.failure,
    divergenceLines(gate),
  );
}
