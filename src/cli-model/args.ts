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
    throw usageFromParseError(command, err, [...canonical.keys()]);
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

function usageFromParseError(command: Command, err: unknown, known: string[]): UsageError {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '(-{1,2})([^']+)'/.exec(message);
  if (unknown) {
    const [, dashes, name] = unknown;
    const near = dashes === '--' ? bestMatches(name ?? '', known, 3) : [];
    return new UsageError(
      `${command.name}: unknown flag ${dashes}${name}`,
      near.length ? `did you mean ${near.map((n) => `--${n}`).join(', ')}?` : `see \`help ${command.name}\``,
    );
  }
  const missing = /Option '(?:-\w, )?--([^ ']+)[^']*' argument missing/.exec(message);
  if (missing) return new UsageError(`${command.name}: --${missing[1]} needs a value`, `see \`help ${command.name}\``);
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
