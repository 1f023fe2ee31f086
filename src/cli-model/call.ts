// One typed invocation: a command called with values (MCP arguments, a JSON Lines object) is checked
// against the same spec its schema advertises and becomes the same ParsedArgs a text line parses to.
// Values stay values: nothing here turns them back into words, so "--address=…" is just a string.
import { UsageError } from '../errors.js';
import type { SettingKey } from '../config/settings.js';
import type { Command, FlagSpec, ParsedArgs } from './types.js';
import { bestMatches } from './suggest.js';

/** The settings a single call may choose (typed like flags): where it talks and which project. */
export const CALL_SETTINGS = [
  { name: 'address', key: 'address', short: 'gRPC host:port' },
  { name: 'namespace', key: 'namespace', short: 'namespace' },
  { name: 'task-queue', key: 'taskQueue', short: 'task queue' },
  { name: 'project-dir', key: 'projectDir', short: 'project dir' },
] as const satisfies readonly { name: string; key: SettingKey; short: string }[];

/** The key that carries a plan's token. */
export const CONFIRM_KEY = 'confirm';

export interface TypedCall {
  args: ParsedArgs;
  settings: Partial<Record<SettingKey, string>>;
  /** The plan token given with the call, if any. */
  confirm?: string;
}

/** Names a call accepts: positionals, the command's flags, the call settings and `confirm`. */
export function callKeys(command: Command): string[] {
  const own = new Set(command.flags.map((f) => f.name));
  return [
    ...(command.positionals ?? []).map((p) => p.name),
    ...command.flags.map((f) => f.name),
    ...CALL_SETTINGS.filter((s) => !own.has(s.name)).map((s) => s.name),
    CONFIRM_KEY,
  ];
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/** Checks a number against its spec (the same rule for text lines and typed calls). */
export function checkNumber(command: Command, spec: FlagSpec, n: number, shown: string): number {
  if (!Number.isFinite(n)) throw new UsageError(`${command.name}: ${shown} needs a number, not ${JSON.stringify(n)}`);
  if (spec.integer && !Number.isInteger(n))
    throw new UsageError(`${command.name}: ${shown} needs a whole number, not ${n}`);
  if (spec.min !== undefined && n < spec.min)
    throw new UsageError(
      `${command.name}: ${shown} must be at least ${spec.min}, not ${n}`,
      `see \`help ${command.name}\``,
    );
  return n;
}

/** Matches a choice (case-insensitive, as on the command line). */
export function checkChoice(command: Command, choices: readonly string[], text: string, shown: string): string {
  const match = choices.find((c) => c.toLowerCase() === text.toLowerCase());
  if (!match) throw new UsageError(`${command.name}: ${shown} must be one of ${choices.join(', ')}, not "${text}"`);
  return match;
}

function scalar(command: Command, spec: FlagSpec, v: unknown, shown: string): unknown {
  switch (spec.type) {
    case 'json':
      return v;
    case 'boolean':
      if (typeof v !== 'boolean')
        throw new UsageError(`${command.name}: ${shown} must be true or false, not ${typeName(v)}`);
      return v;
    case 'number':
      if (typeof v !== 'number') throw new UsageError(`${command.name}: ${shown} must be a number, not ${typeName(v)}`);
      return checkNumber(command, spec, v, shown);
    case 'string':
      if (typeof v !== 'string') throw new UsageError(`${command.name}: ${shown} must be a string, not ${typeName(v)}`);
      return spec.choices ? checkChoice(command, spec.choices, v, shown) : v;
  }
}

/** Typed values → the command's parsed args; any unknown key, wrong type or bad value is one error naming the key. */
export function callFromValues(command: Command, values: Record<string, unknown>): TypedCall {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new UsageError(`${command.name}: the arguments must be an object, not ${typeName(values)}`);
  }
  const known = callKeys(command);
  const flags: ParsedArgs['flags'] = {};
  const settings: TypedCall['settings'] = {};
  const positionals: string[] = [];
  let confirm: string | undefined;
  for (const key of Object.keys(values)) {
    if (!known.includes(key)) {
      const near = bestMatches(key, known, 3);
      throw new UsageError(
        `${command.name}: unknown argument "${key}"`,
        near.length ? `did you mean ${near.join(', ')}?` : `it takes ${known.join(', ')}`,
      );
    }
  }
  for (const key of known) {
    const v = values[key];
    if (v === undefined || v === null) continue;
    const spec = command.flags.find((f) => f.name === key);
    const setting = CALL_SETTINGS.find((s) => s.name === key);
    if (key === CONFIRM_KEY && !spec) {
      if (typeof v !== 'string' || !v)
        throw new UsageError(
          `${command.name}: "confirm" takes the token of a plan, not ${typeName(v)}`,
          'call without it first: the answer is the plan and its token',
        );
      confirm = v;
    } else if (spec) {
      const shown = `"${key}"`;
      if (spec.multiple) {
        if (!Array.isArray(v)) throw new UsageError(`${command.name}: ${shown} must be an array, not ${typeName(v)}`);
        flags[spec.name] = v.map((one) => scalar(command, spec, one, shown));
      } else flags[spec.name] = scalar(command, spec, v, shown);
    } else if (setting) {
      if (typeof v !== 'string' || !v)
        throw new UsageError(`${command.name}: "${key}" must be a non-empty string, not ${typeName(v)}`);
      settings[setting.key] = v;
    }
  }
  for (const spec of command.flags)
    if (flags[spec.name] === undefined && spec.default !== undefined) flags[spec.name] = spec.default;
  const declared = command.positionals ?? [];
  for (const p of declared) {
    const v = values[p.name];
    if (v === undefined || v === null) {
      if (p.required) throw new UsageError(`${command.name}: missing "${p.name}"`, `it takes ${known.join(', ')}`);
      break; // positionals are ordered: a later one without an earlier one is not a thing
    }
    if (typeof v !== 'string')
      throw new UsageError(`${command.name}: "${p.name}" must be a string, not ${typeName(v)}`);
    positionals.push(p.choices ? checkChoice(command, p.choices, v, `"${p.name}"`) : v);
  }
  if (positionals.length < declared.length) {
    const skipped = declared
      .slice(positionals.length)
      .find((p) => values[p.name] !== undefined && values[p.name] !== null);
    if (skipped)
      throw new UsageError(
        `${command.name}: "${skipped.name}" needs "${declared[positionals.length]?.name}" before it`,
      );
  }
  return { args: { flags, positionals }, settings, ...(confirm ? { confirm } : {}) };
}
