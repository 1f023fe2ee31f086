// Shell completion scripts, generated from the registry. They stay small: they call back the hidden
// `tshell __complete <words…>`, which answers from the same registry and session (workflow ids too),
// the way the Temporal CLI's completions work. `tshell completions bash|zsh|fish` prints them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeWords } from '../cli-model/completion.js';
import { listSchedules } from '../temporal/schedules.js';
import { listExecutions, quoteValue, statusClause } from '../temporal/visibility.js';
import { tcpProbe } from '../temporal/connection.js';
import { fetchHistory } from '../temporal/history.js';
import { describeWorkflow } from '../temporal/workflows.js';
import { workflowHandlers } from '../temporal/handlers.js';
import { defineCommand, type CommandContext, type CommandRegistry } from '../cli-model/types.js';
import * as z from 'zod/mini';
import { parseOrUndefined } from '../checked-json.js';

const IdCacheSchema = z.object({ at: z.number(), address: z.string(), ids: z.array(z.string()) });

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function completionScript(registry: CommandRegistry, shell: (typeof SHELLS)[number]): string {
  const names = registry
    .visible()
    .flatMap((c) => [c.name, ...(c.aliases ?? [])])
    .join(' ');
  const header = `# tshell completion for ${shell}, generated from the command registry by \`tshell completions ${shell}\`.\n# Candidates come from \`tshell __complete\` (commands, flags, statuses, workflow ids).\n`;
  if (shell === 'bash') {
    return `${header}_tshell() {
  local IFS=$'\\n'
  local out
  out=$(tshell __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || out=""
  if [ -z "$out" ] && [ "$COMP_CWORD" -eq 1 ]; then
    out=$(compgen -W "${names}" -- "\${COMP_WORDS[COMP_CWORD]}" | tr ' ' '\\n')
  fi
  COMPREPLY=($out)
}
complete -o default -F _tshell tshell
`;
  }
  if (shell === 'zsh') {
    return `#compdef tshell
${header}_tshell() {
  local -a candidates
  candidates=("\${(@f)$(tshell __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  [[ -z "\${candidates[*]}" && CURRENT -eq 2 ]] && candidates=(${names})
  compadd -U -Q -a candidates
}
# Autoloaded from $fpath by compinit, this file is the function's body: complete now. Sourced: register.
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
  _tshell "$@"
else
  compdef _tshell tshell
fi
`;
  }
  return `${header}function __tshell_complete
  set -l words (commandline -opc) (commandline -ct)
  tshell __complete $words[2..-1] 2>/dev/null
end
complete -c tshell -f -a '(__tshell_complete)'
`;
}

/** Recent workflow ids for completion: from a short-lived cache, else one quick visibility query. */
async function recentIds(ctx: CommandContext): Promise<string[]> {
  const cache = join(ctx.settings.stateDir, 'completion-ids.json');
  try {
    if (existsSync(cache)) {
      const data = parseOrUndefined(IdCacheSchema, readFileSync(cache, 'utf8'));
      if (data && Date.now() - data.at < 10_000 && data.address === ctx.settings.address) return data.ids;
    }
  } catch {
    // rebuild below
  }
  const current = ctx.session.current.workflowId;
  if (!(await tcpProbe(ctx.settings.address, 300))) return current ? [current] : [];
  const h = await ctx.temporal();
  const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
  const rows = await h.connection
    .withDeadline(Date.now() + 1500, () => listExecutions(h, `StartTime > ${quoteValue(since)}`, 200))
    .catch(() => []);
  const running = new Set(
    (await listExecutions(h, statusClause('RUNNING'), 200).catch(() => [])).map((r) => r.workflowId),
  );
  const ids = [...new Set([...(current ? [current] : []), ...[...running], ...rows.map((r) => r.workflowId)])];
  try {
    writeFileSync(cache, JSON.stringify({ at: Date.now(), address: ctx.settings.address, ids }), { mode: 0o600 });
  } catch {
    // a cache is optional
  }
  return ids;
}

/**
 * Signal, update or query names for completion: what the workflow declares (asked of its worker,
 * within a second) and, for signals and updates, the names already seen in its history.
 */
async function handlerNames(
  ctx: CommandContext,
  kind: 'signal' | 'update' | 'query',
  id: string | undefined,
): Promise<string[]> {
  const workflowId = id ?? ctx.session.current.workflowId;
  if (!workflowId || !(await tcpProbe(ctx.settings.address, 300))) return [];
  const h = await ctx.temporal();
  const desc = await describeWorkflow(h, workflowId).catch(() => undefined);
  if (!desc) return [];
  const declared = await workflowHandlers(h, desc.workflowId, desc.runId, 1);
  const names = new Set<string>(
    ((kind === 'signal' ? declared?.signals : kind === 'update' ? declared?.updates : declared?.queries) ?? []).filter(
      Boolean,
    ),
  );
  if (kind !== 'query') {
    const events = await h.connection
      .withDeadline(Date.now() + 1000, () => fetchHistory(h, desc.workflowId, desc.runId))
      .catch(() => []);
    for (const e of events) {
      const name =
        kind === 'signal'
          ? e.workflowExecutionSignaledEventAttributes?.signalName
          : e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      if (name) names.add(name);
    }
  }
  if (kind === 'query') names.add('__stack_trace');
  return [...names];
}

/** What the project's code knows: workflow types for `--type`, sample folders for `project`; schedule ids from the server. */
async function projectValues(ctx: CommandContext, command: string, slot: string): Promise<string[]> {
  if ((command === 'schedule' && slot === '<id>') || (command === 'diagnose' && slot === 'schedule')) {
    if (!(await tcpProbe(ctx.settings.address, 300))) return [];
    const h = await ctx.temporal();
    return (await h.connection.withDeadline(Date.now() + 1500, () => listSchedules(h, 200)).catch(() => [])).map(
      (r) => r.scheduleId,
    );
  }
  if (slot === 'type') return ctx.project().plan.workflowTypes;
  if (command === 'project' && slot === '<dir>')
    return [
      ...new Set(
        ctx
          .project()
          .plan.workerChoices.map((w) => w.file.split('/').slice(0, -1).join('/'))
          .filter(Boolean),
      ),
    ];
  return [];
}

export const completionsCommand = defineCommand({
  name: 'completions',
  group: 'shell',
  effect: 'read',
  summary: 'Print the bash, zsh or fish completion script (generated from the registry)',
  examples: [
    'completions bash > ~/.local/share/bash-completion/completions/tshell',
    'completions fish > ~/.config/fish/completions/tshell.fish',
  ],
  flags: [],
  positionals: [{ name: 'shell', description: 'bash, zsh or fish', required: true, choices: SHELLS }],
  fields: { shell: 'the shell', script: 'the completion script' },
  async run(ctx, args): Promise<{ shell: string; script: string }> {
    const shell = args.positionals[0] as (typeof SHELLS)[number];
    return { shell, script: completionScript(ctx.registry, shell) };
  },
  render: (d) => d.script.trimEnd(),
});

export const completeCommand = defineCommand({
  name: '__complete',
  warm: true,
  group: 'shell',
  effect: 'read',
  hidden: true,
  summary: 'Completion candidates for the words after `tshell` (used by the shell scripts)',
  flags: [],
  async run(ctx, args): Promise<{ candidates: string[] }> {
    return { candidates: await runComplete(ctx, args.positionals) };
  },
  render: (d) => d.candidates.join('\n'),
});

/** `tshell __complete …`: the words are not parsed as flags (they are the line being completed). */
export async function runComplete(ctx: CommandContext, words: string[]): Promise<string[]> {
  return completeWords(
    ctx.registry,
    words.length ? words : [''],
    () => recentIds(ctx),
    (kind, id) => handlerNames(ctx, kind, id),
    (command, slot) => projectValues(ctx, command, slot),
  );
}
