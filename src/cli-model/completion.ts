// Completion from the registry, shared by the REPL's Tab and the shell scripts' `tshell __complete`:
// commands and aliases, the command's flags, flag values with known sets (statuses, choices,
// workflow ids from recent executions), tolerant of typos (fuse.js) as well as prefixes.
import { allFlags } from './args.js';
import { bestMatches } from './suggest.js';
import type { CommandRegistry } from './types.js';

/** Supplies workflow ids for `--id` and `use` (recent executions, cached briefly). */
export type IdSource = () => Promise<string[]>;

/** Supplies the signal, update or query names of a workflow (`--id`'s, else the current one). */
export type HandlerSource = (kind: 'signal' | 'update' | 'query', workflowId: string | undefined) => Promise<string[]>;

/** Supplies values known to the project for a flag (`type`) or a positional (`<dir>`) of a command. */
export type ValueSource = (command: string, slot: string) => Promise<string[]>;

const HANDLER_COMMANDS = new Set(['signal', 'update', 'query']);

const ID_FLAGS = new Set(['--id', '-w', '--workflow-id']);

function match(current: string, candidates: string[], limit = 20): string[] {
  const prefix = candidates.filter((c) => c.startsWith(current));
  if (prefix.length || !current) return prefix.slice(0, current ? limit : 200);
  // Not a prefix of anything: a typo or an abbreviation. One best guess, so Tab replaces the word.
  return bestMatches(current, candidates, 1);
}

/** Candidates for the last word of `words` (which may be '' for "after a space"). */
export async function completeWords(
  registry: CommandRegistry,
  words: string[],
  ids?: IdSource,
  handlers?: HandlerSource,
  values?: ValueSource,
): Promise<string[]> {
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  if (before.length === 0) return match(current, registry.names());
  const command = registry.find(before[0] ?? '');
  if (!command) return [];
  const flags = allFlags(command);
  const prev = before[before.length - 1] ?? '';
  if (prev.startsWith('-') && before.length > 1) {
    const spec = flags.find(
      (f) =>
        `--${f.name}` === prev ||
        (f.short && `-${f.short}` === prev) ||
        (f.aliases ?? []).some((a) => `--${a}` === prev),
    );
    if (spec && spec.type !== 'boolean') {
      if (spec.choices)
        return match(current.toUpperCase() === current ? current : current.toUpperCase(), [...spec.choices]);
      if (ID_FLAGS.has(prev) && ids) return match(current, await ids().catch(() => []));
      if (values) return match(current, await values(command.name, spec.name).catch(() => []));
      return [];
    }
  }
  if (current.startsWith('-')) {
    const names = flags.flatMap((f) => [`--${f.name}`, ...(f.aliases ?? []).map((a) => `--${a}`)]);
    const prefix = names.filter((n) => n.startsWith(current));
    if (prefix.length) return prefix;
    return bestMatches(
      current.replace(/^-+/, ''),
      names.map((n) => n.slice(2)),
      1,
    ).map((n) => `--${n}`);
  }
  const positionalIndex = before
    .slice(1)
    .filter(
      (w, i, all) =>
        !w.startsWith('-') &&
        !(all[i - 1]?.startsWith('--') && flags.find((f) => `--${f.name}` === all[i - 1])?.type !== 'boolean'),
    ).length;
  const positional = command.positionals?.[positionalIndex];
  if (positional?.choices) return match(current, [...positional.choices]);
  if (command.name === 'use' && positionalIndex === 0 && ids)
    return match(current, ['-', ...(await ids().catch(() => []))]);
  if (HANDLER_COMMANDS.has(command.name) && positionalIndex === 0 && handlers) {
    const idAt = before.findIndex((w) => ID_FLAGS.has(w));
    const names = await handlers(
      command.name as 'signal' | 'update' | 'query',
      idAt > 0 ? before[idAt + 1] : undefined,
    ).catch(() => []);
    return match(current, names);
  }
  if (positional && values) {
    const known = await values(command.name, `<${positional.name}>`).catch(() => []);
    if (known.length) return match(current, known);
  }
  if (!current) return command.flags.map((f) => `--${f.name}`);
  return [];
}

/** The words of a line being typed; the last one is '' right after a space. */
export function lineWords(line: string): string[] {
  const words = line.trim() === '' ? [''] : line.trim().split(/\s+/);
  if (/\s$/.test(line) && line.trim() !== '') words.push('');
  return words;
}
