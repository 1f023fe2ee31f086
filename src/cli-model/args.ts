// Turns the words of a command line into typed flags and positionals, driven by the registry's
// flag specs (Node's util.parseArgs underneath). Errors are UsageErrors with a hint.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { GLOBAL_FLAGS } from './option-sets.js';
import type { Command, FlagSpec, ParsedArgs } from './types.js';
import { bestMatches } from './suggest.js';
import { jsonErrorPosition } from './json-position.js';
import { checkChoice, checkNumber } from './call.js';

export function allFlags(command: Command): FlagSpec[] {
  const own = new Set(command.flags.map((f) => f.name));
  return [...command.flags, ...GLOBAL_FLAGS.filter((f) => !own.has(f.name))];
}

export function parseCommandArgs(command: Command, words: string[]): ParsedArgs {
  const specs = allFlags(command);
  const options: NonNullable<ParseArgsConfig['options']> = {};
  const canonical = new Map<string, FlagSpec>();
  for (const spec of specs) {
    const type = spec.type === 'boolean' ? 'boolean' : 'string';
    const multiple = spec.multiple ?? false;
    options[spec.name] = { type, multiple, ...(spec.short ? { short: spec.short } : {}) };
    canonical.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) {
      options[alias] = { type, multiple };
      canonical.set(alias, spec);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: words, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageFromParseError(command, err, words, canonical);
  }
  const flags: ParsedArgs['flags'] = {};
  for (const [given, raw] of Object.entries(parsed.values)) {
    const spec = canonical.get(given);
    if (!spec) continue;
    flags[spec.name] = convert(command, spec, raw);
  }
  for (const spec of specs) {
    if (flags[spec.name] === undefined && spec.default !== undefined) flags[spec.name] = spec.default;
  }
  const positionals = parsed.positionals;
  const declared = command.positionals ?? [];
  declared.forEach((p, i) => {
    const value = positionals[i];
    if (value === undefined && p.required) {
      throw new UsageError(`${command.name}: missing <${p.name}>`, `usage: ${usageLine(command)}`);
    }
    if (value !== undefined && p.choices && !p.choices.includes(value)) {
      throw new UsageError(`${command.name}: <${p.name}> must be one of ${p.choices.join(', ')}, not "${value}"`);
    }
  });
  if (positionals.length > declared.length) {
    throw new UsageError(
      `${command.name}: unexpected argument "${positionals[declared.length]}"`,
      `usage: ${usageLine(command)}`,
    );
  }
  return { flags, positionals };
}

function convert(command: Command, spec: FlagSpec, raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map((r) => convert(command, { ...spec, multiple: false }, r));
  if (spec.type === 'boolean') return raw;
  const text = String(raw);
  if (spec.type === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) {
      throw new UsageError(`${command.name}: --${spec.name} needs a number, not "${text}"`);
    }
    return checkNumber(command, spec, n, `--${spec.name}`);
  }
  if (spec.type === 'json') return parseJsonFlag(`--${spec.name}`, text);
  if (spec.choices) return checkChoice(command, spec.choices, text, `--${spec.name}`);
  return text;
}

/** Parses a JSON flag value; a malformed value is rejected with the position of the problem. */
export function parseJsonFlag(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    const found = jsonErrorPosition(text);
    const pos = found >= 0 ? found : Number(/position (\d+)/.exec(detail)?.[1] ?? -1);
    const where = pos >= 0 ? ` at position ${pos}` : '';
    throw new UsageError(
      `${flag} is not valid JSON${where}: ${detail}`,
      `quote the value, e.g. ${flag} '{"name": "Ada"}' or ${flag} '"text"'`,
    );
  }
}

/** The word of the line a parse error is about: the first flag the specs do not know, or one missing its value. */
function offending(
  words: string[],
  known: Map<string, FlagSpec>,
  shorts: Map<string, FlagSpec>,
): { unknown?: string; needsValue?: FlagSpec } {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '--') break;
    if (!w.startsWith('-') || w === '-') continue;
    const long = w.startsWith('--');
    const name = long ? (w.slice(2).split('=')[0] ?? '') : w.slice(1, 2);
    const spec = long ? known.get(name) : shorts.get(name);
    if (!spec) return { unknown: long ? `--${name}` : `-${name}` };
    const inline = long ? w.includes('=') : w.length > 2;
    const next = words[i + 1];
    if (spec.type !== 'boolean' && !inline && (next === undefined || next.startsWith('-'))) return { needsValue: spec };
    if (spec.type !== 'boolean' && !inline) i++;
  }
  return {};
}

function usageFromParseError(
  command: Command,
  err: unknown,
  words: string[],
  known: Map<string, FlagSpec>,
): UsageError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const shorts = new Map([...known.values()].filter((f) => f.short).map((f) => [f.short ?? '', f]));
  const found = offending(words, known, shorts);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && found.unknown) {
    const near = found.unknown.startsWith('--') ? bestMatches(found.unknown.slice(2), [...known.keys()], 3) : [];
    return new UsageError(
      `${command.name}: unknown flag ${found.unknown}`,
      near.length ? `did you mean ${near.map((n) => `--${n}`).join(', ')}?` : `see \`help ${command.name}\``,
    );
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && found.needsValue) {
    const flag = `--${found.needsValue.name}`;
    return new UsageError(
      `${command.name}: ${flag} needs a value`,
      `a value that starts with - goes after =, e.g. ${flag}=-5`,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new UsageError(`${command.name}: ${message.split('\n')[0]}`, `see \`help ${command.name}\``);
}

export function usageLine(command: Command): string {
  const pos = (command.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`));
  const flags = command.flags.map((f) => {
    const value = f.type === 'boolean' ? '' : ` ${f.metavar ?? f.name.toUpperCase().replace(/-/g, '_')}`;
    return `[--${f.name}${value}]`;
  });
  return [command.name, ...pos, ...flags].join(' ');
}
