// Tab completion from the registry: commands and aliases, then the flags of the command on the
// line, tolerant of typos (fuse.js) as well as prefixes.
import { allFlags } from './args.js';
import { commandNames, findCommand } from '../commands/registry.js';
import { bestMatches } from './suggest.js';

export function complete(line: string): [string[], string] {
  const endsWithSpace = /\s$/.test(line);
  const words = line.trim().split(/\s+/).filter(Boolean);
  const current = endsWithSpace ? '' : (words[words.length - 1] ?? '');
  if (words.length === 0 || (words.length === 1 && !endsWithSpace)) {
    const names = commandNames();
    const prefix = names.filter((n) => n.startsWith(current));
    return [prefix.length ? prefix : bestMatches(current, names, 5), current];
  }
  const command = findCommand(words[0] ?? '');
  if (!command) return [[], current];
  const flags = allFlags(command).map((f) => `--${f.name}`);
  if (current.startsWith('-') || current === '') {
    const needle = current.replace(/^-+/, '');
    const prefix = flags.filter((f) => f.startsWith(current || '--'));
    const hits = prefix.length ? prefix : bestMatches(needle, flags.map((f) => f.slice(2)), 5).map((f) => `--${f}`);
    return [current === '' ? command.flags.map((f) => `--${f.name}`) : hits, current];
  }
  const choices = command.positionals?.flatMap((p) => p.choices ?? []) ?? [];
  return [choices.filter((c) => c.startsWith(current)), current];
}
