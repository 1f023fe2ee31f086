// What a launch without a command word asks for: the REPL, a script (a file, or stdin that is not a
// terminal), the version or help, with settings given as flags. One parse for the launcher's first
// prompt (first-prompt.ts) and for cli.ts, so both read the same flags the same way.
import { isatty } from 'node:tty';
import { parseArgs } from 'node:util';
import { SETTINGS, type SettingKey } from '../config/settings.js';
import { GLOBAL_FLAGS } from '../cli-model/option-sets.js';
import { UsageError } from '../errors.js';

const LAUNCH_FLAGS = {
  file: { type: 'string', short: 'f' },
  'keep-going': { type: 'boolean' },
  interactive: { type: 'boolean', short: 'i' },
  version: { type: 'boolean', short: 'v' },
} as const;

export interface Launch {
  mode: 'repl' | 'script' | 'version' | 'help';
  /** A script's file (`-` or absent: stdin). */
  file?: string;
  keepGoing: boolean;
  overrides: Partial<Record<SettingKey, string>>;
  flags: { json: boolean; yes: boolean; noColor: boolean };
}

/** The launch argv (no command word) as a plan; a flag that is not one is a UsageError. */
export function parseLaunch(argv: string[]): Launch {
  const options: NonNullable<Parameters<typeof parseArgs>[0]>['options'] = { ...LAUNCH_FLAGS };
  for (const f of GLOBAL_FLAGS)
    options[f.name] = { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.short ? { short: f.short } : {}) };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
      'usage: tshell [COMMAND [FLAGS]] | tshell [--file SCRIPT] [--keep-going] [-i]',
    );
  }
  const overrides: Partial<Record<SettingKey, string>> = {};
  for (const spec of SETTINGS) {
    const v = values[spec.flag];
    if (typeof v === 'string') overrides[spec.key] = v;
  }
  const file = typeof values.file === 'string' ? values.file : undefined;
  const mode = values.version
    ? 'version'
    : values.help
      ? 'help'
      : file || (!isatty(0) && !values.interactive)
        ? 'script'
        : 'repl';
  return {
    mode,
    ...(file ? { file } : {}),
    keepGoing: Boolean(values['keep-going']),
    overrides,
    flags: { json: Boolean(values.json), yes: Boolean(values.yes), noColor: Boolean(values['no-color']) },
  };
}
