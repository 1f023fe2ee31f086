// The determinism gate as ensure-worker uses it: replay first, and when running workflows would no
// longer replay, keep the old worker and say what to do (a terminal may choose to restart anyway).
import { ExitCode, ErrorCodes, TshellError } from '../errors.js';
import type { Settings } from '../config/settings.js';
import { determinismGate, type GateResult } from '../diagnosis/determinism-gate.js';
import { replayPython } from '../diagnosis/replay.js';
import { tcpProbe } from '../temporal/connection.js';
import type { CommandContext } from '../cli-model/types.js';

export function divergenceLines(g: GateResult): string[] {
  return g.diverged.map(
    (d) =>
      `${d.workflowId}: diverges at event ${d.eventId ?? '?'}${d.eventType ? ` (${d.eventType})` : ''}${d.reason ? `: ${d.reason}` : ''}`,
  );
}

export function uncheckedLines(g: GateResult): string[] {
  return g.unchecked.map((u) => `${u.workflowId}: not checked: ${u.why}`);
}

/** On a terminal: why the restart is not safe, then the choice; undefined when there is none to ask. */
async function askRestartAnyway(
  ctx: CommandContext,
  why: string,
  lines: string[],
  risk: { keep: string; restart: string },
): Promise<boolean | undefined> {
  if (!ctx.prompter) return undefined;
  ctx.print(`${why}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  const pick = await ctx.prompter.select('Restart the worker anyway?', [
    { value: 'keep', name: `no: keep the old worker running${risk.keep}` },
    { value: 'restart', name: `yes: restart it (${risk.restart})` },
  ]);
  return pick === 'restart';
}

/**
 * Running workflows the gate could not check: the restart is not proven safe, so the old worker stays
 * unless a terminal says restart anyway (`--force` skips the gate).
 */
async function uncheckedRestart(ctx: CommandContext, gate: GateResult): Promise<GateResult> {
  const head = `checked ${gate.checked} of ${gate.total} running workflow(s) on ${gate.taskQueue}: ${gate.unchecked.length} could not be checked against the new code`;
  if (
    await askRestartAnyway(ctx, `${ctx.style.warn} ${head}`, uncheckedLines(gate), {
      keep: '',
      restart: 'unchecked workflows may fail their next workflow task',
    })
  )
    return gate;
  throw new TshellError(
    `not restarting: ${head} (the old worker keeps running)`,
    ErrorCodes.usage,
    'fix what stopped the check (above), or `ensure-worker --force` to restart anyway',
    ExitCode.failure,
    uncheckedLines(gate),
  );
}

/** Runs the gate unless --force; throws (exit 1) when the restart would wedge running workflows. */
export async function gateRestart(
  ctx: CommandContext,
  settings: Settings,
  force: boolean,
  budgetMs = 15_000,
): Promise<GateResult | undefined> {
  if (force || !(await tcpProbe(settings.address, 300))) return undefined;
  const h = await ctx.temporal();
  const gate = await determinismGate(h, settings, () => replayPython(settings, ctx.project().plan.runner), {
    limit: 50,
    budgetMs,
    signal: ctx.signal,
    progress: (l) => ctx.progress(l),
  });
  if (gate.diverged.length === 0) return gate.unchecked.length ? uncheckedRestart(ctx, gate) : gate;
  const choices =
    'keep the old worker (nothing was stopped), `reset --id ID` or `terminate --id ID` each, or `ensure-worker --force` to restart anyway';
  const restart = await askRestartAnyway(
    ctx,
    `${ctx.style.fail} ${gate.diverged.length} running workflow(s) cannot replay the new code`,
    divergenceLines(gate),
    {
      keep: ' (reset or terminate those workflows first)',
      restart: 'those workflows will fail their next workflow task',
    },
  );
  if (restart) return gate;
  if (restart === false)
    throw new TshellError('kept the old worker: nothing was stopped', ErrorCodes.usage, choices, ExitCode.failure);
  throw new TshellError(
    `not restarting: ${gate.diverged.length} of ${gate.checked} running workflow(s) on ${gate.taskQueue} cannot replay the new code (the old worker keeps running)`,
    ErrorCodes.usage,
    choices,
    ExitCode.failure,
    divergenceLines(gate),
  );
}
