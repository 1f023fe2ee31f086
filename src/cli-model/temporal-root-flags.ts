// `temporal shell …`: the Temporal CLI hands an extension the root flags it knows, wherever the user
// put them (`temporal --profile prod -o json shell describe`). They are taken out here and mapped
// onto tshell's own: profile, env (the CLI's older name of a profile), config file, output, colour,
// command timeout; log level and format, time format and payload shorthand only affect the CLI's
// own printing and are accepted without effect.
import { UsageError } from '../errors.js';

export interface RootFlags {
  /** The arguments without the root flags. */
  argv: string[];
  profile?: string;
  configFile?: string;
  json?: boolean;
  color?: 'always' | 'never' | 'auto';
  commandTimeoutMs?: number;
}

/** Root flags that take a value, and the ones accepted without effect. */
const VALUED = [
  '--profile',
  '--env',
  '--config-file',
  '-o',
  '--output',
  '--color',
  '--command-timeout',
  '--log-level',
  '--log-format',
  '--time-format',
  '--env-file',
];
const SWITCHES = ['--no-json-shorthand-payloads', '--disable-config-file', '--disable-config-env'];

function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--command-timeout needs a duration like 30s or 2m, not "${text}"`);
  return Math.round(Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000));
}

export function takeRootFlags(args: readonly string[]): RootFlags {
  const out: RootFlags = { argv: [] };
  for (let i = 0; i < args.length; i++) {
    const word = args[i] ?? '';
    if (word === '--') {
      out.argv.push(...args.slice(i));
      break;
    }
    const eq = word.indexOf('=');
    const name = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word;
    if (SWITCHES.includes(name)) continue;
    if (!VALUED.includes(name)) {
      out.argv.push(word);
      continue;
    }
    const value = eq > 0 && word.startsWith('--') ? word.slice(eq + 1) : args[++i];
    if (value === undefined)
      throw new UsageError(
        `${name} needs a value`,
        'as in the Temporal CLI, e.g. temporal --profile prod shell describe',
      );
    switch (name) {
      case '--profile':
      case '--env':
        out.profile = value;
        break;
      case '--config-file':
        out.configFile = value;
        break;
      case '-o':
      case '--output':
        if (!['text', 'json', 'jsonl', 'none'].includes(value))
          throw new UsageError(`--output must be text, json, jsonl or none, not "${value}"`);
        out.json = value === 'json' || value === 'jsonl';
        break;
      case '--color':
        if (value !== 'always' && value !== 'never' && value !== 'auto')
          throw new UsageError(`--color must be always, never or auto, not "${value}"`);
        out.color = value;
        break;
      case '--command-timeout':
        out.commandTimeoutMs = durationMs(value);
        break;
      default:
        break; // printing options of the CLI itself
    }
  }
  return out;
}

/** The mapped flags as tshell words: after the command word for a one-shot, else as launch flags. */
export function rootFlagWords(flags: RootFlags): string[] {
  return [
    ...(flags.profile ? ['--profile', flags.profile] : []),
    ...(flags.json ? ['--json'] : []),
    ...(flags.color === 'never' ? ['--no-color'] : []),
  ];
}
