// Every setting declared once: its flag, its environment variables (current name first, then
// accepted older aliases), its Temporal-profile key and its default. Resolution order:
// flags > environment > Temporal config profile > defaults; `config` shows the winner and its source.
import { xdgStateDir } from './helper-paths.js';
import { basename, join, resolve } from 'node:path';
import { readTemporalProfile, type ProfileKey } from './profile.js';
import { UsageError } from '../errors.js';

export type SettingKey =
  | 'address'
  | 'namespace'
  | 'temporalCli'
  | 'projectDir'
  | 'projectName'
  | 'stateDir'
  | 'logDir'
  | 'pidDir'
  | 'workerCmd'
  | 'starterCmd'
  | 'taskQueue'
  | 'workerDir'
  | 'starterDir'
  | 'uiPort'
  | 'profile'
  | 'tls'
  | 'tlsCertPath'
  | 'tlsKeyPath'
  | 'tlsCaPath'
  | 'tlsServerName'
  | 'apiKey';

export interface SettingSpec {
  key: SettingKey;
  /** Long flag name accepted on every command line. */
  flag: string;
  env: string[];
  /** Key in the Temporal CLI's `temporal.toml` profile, when it has one. */
  profileKey?: ProfileKey;
  description: string;
  /** Default, computed from the settings resolved before it (order of SETTINGS matters). */
  fallback: (resolved: Partial<Record<SettingKey, string>>) => string;
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    key: 'profile',
    flag: 'profile',
    env: ['TEMPORAL_PROFILE'],
    description: 'Temporal config profile',
    fallback: () => 'default',
  },
  {
    key: 'address',
    flag: 'address',
    env: ['TEMPORAL_ADDRESS'],
    profileKey: 'address',
    description: 'Temporal gRPC address',
    fallback: () => 'localhost:7233',
  },
  {
    key: 'namespace',
    flag: 'namespace',
    env: ['TEMPORAL_NAMESPACE', 'CLAUDE_TEMPORAL_NAMESPACE'],
    profileKey: 'namespace',
    description: 'Temporal namespace',
    fallback: () => 'default',
  },
  {
    key: 'temporalCli',
    flag: 'temporal-cli',
    env: ['TEMPORAL_CLI'],
    description: 'path to the temporal CLI (found on PATH or in the tools folder otherwise)',
    fallback: () => '',
  },
  {
    key: 'projectDir',
    flag: 'project-dir',
    env: ['TSHELL_PROJECT_DIR', 'CLAUDE_TEMPORAL_PROJECT_DIR'],
    description: 'the Python project',
    fallback: () => process.cwd(),
  },
  {
    key: 'projectName',
    flag: 'project-name',
    env: ['TSHELL_PROJECT_NAME', 'CLAUDE_TEMPORAL_PROJECT_NAME'],
    description: 'name used for log and PID files',
    fallback: (r) => basename(r.projectDir ?? process.cwd()),
  },
  {
    key: 'stateDir',
    flag: 'state-dir',
    env: ['TSHELL_STATE_DIR'],
    description: 'logs, PID files, session context, server database',
    fallback: () => xdgStateDir(process.env),
  },
  {
    key: 'logDir',
    flag: 'log-dir',
    env: ['TSHELL_LOG_DIR', 'CLAUDE_TEMPORAL_LOG_DIR'],
    description: 'worker and starter logs',
    fallback: (r) => join(r.stateDir ?? '', 'logs'),
  },
  {
    key: 'pidDir',
    flag: 'pid-dir',
    env: ['TSHELL_PID_DIR', 'CLAUDE_TEMPORAL_PID_DIR'],
    description: 'worker PID files',
    fallback: (r) => join(r.stateDir ?? '', 'pids'),
  },
  // Discovered from the project's code when not given (see src/project/); the fallbacks are for a
  // project discovery could not read.
  {
    key: 'workerCmd',
    flag: 'worker-cmd',
    env: ['TSHELL_WORKER_CMD', 'TEMPORAL_WORKER_CMD'],
    description: 'command that runs the worker (discovered: the module that runs Worker(...))',
    fallback: () => 'uv run worker',
  },
  {
    key: 'workerDir',
    flag: 'worker-dir',
    env: ['TSHELL_WORKER_DIR'],
    description: 'folder the worker command runs in (default: discovered, else the project dir)',
    fallback: (r) => r.projectDir ?? process.cwd(),
  },
  {
    key: 'starterCmd',
    flag: 'starter-cmd',
    env: ['TSHELL_STARTER_CMD'],
    description: 'command that starts a workflow (discovered: the module that calls start_workflow)',
    fallback: () => 'uv run starter',
  },
  {
    key: 'starterDir',
    flag: 'starter-dir',
    env: ['TSHELL_STARTER_DIR'],
    description: 'folder the starter command runs in (default: discovered, else the project dir)',
    fallback: (r) => r.projectDir ?? process.cwd(),
  },
  {
    key: 'taskQueue',
    flag: 'task-queue',
    env: ['TSHELL_TASK_QUEUE'],
    description: "the worker's task queue (discovered from its code, else its heartbeat or log)",
    fallback: () => '',
  },
  {
    key: 'uiPort',
    flag: 'ui-port',
    env: ['TSHELL_UI_PORT'],
    description: 'Web UI port of the dev server (gRPC port + 1000 when unset)',
    fallback: () => '',
  },
  // Connection security, in the Temporal CLI's names: TLS turns on with a certificate, a CA or an API key.
  {
    key: 'tls',
    flag: 'tls',
    env: ['TEMPORAL_TLS'],
    profileKey: 'tls',
    description: 'true/false: use TLS (default: on when a client cert, CA or API key is set)',
    fallback: () => '',
  },
  {
    key: 'tlsCertPath',
    flag: 'tls-cert-path',
    env: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CERT'],
    profileKey: 'tlsCertPath',
    description: 'client certificate (PEM) for mTLS',
    fallback: () => '',
  },
  {
    key: 'tlsKeyPath',
    flag: 'tls-key-path',
    env: ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_KEY'],
    profileKey: 'tlsKeyPath',
    description: 'client key (PEM) for mTLS',
    fallback: () => '',
  },
  {
    key: 'tlsCaPath',
    flag: 'tls-ca-path',
    env: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_CA'],
    profileKey: 'tlsCaPath',
    description: "CA certificate (PEM) that signed the server's",
    fallback: () => '',
  },
  {
    key: 'tlsServerName',
    flag: 'tls-server-name',
    env: ['TEMPORAL_TLS_SERVER_NAME'],
    profileKey: 'tlsServerName',
    description: 'server name to verify the certificate against',
    fallback: () => '',
  },
  {
    key: 'apiKey',
    flag: 'api-key',
    env: ['TEMPORAL_API_KEY'],
    profileKey: 'apiKey',
    description: 'API key (Temporal Cloud); never shown or saved in history',
    fallback: () => '',
  },
];

export type SettingSource =
  'flag' | 'session' | `env ${string}` | `profile ${string}` | `discovered ${string}` | 'default';
export interface ResolvedSetting {
  value: string;
  source: SettingSource;
}
/** Settings whose values are not text: parsed once, where the settings are resolved. */
export interface TypedSettings {
  /** true or false when asked for; undefined: on with a certificate, a CA or an API key. */
  tls: boolean | undefined;
  /** undefined: the gRPC port + 1000. */
  uiPort: number | undefined;
}
type TypedKey = keyof TypedSettings;
export type TextSettingKey = Exclude<SettingKey, TypedKey>;
export type Settings = Record<TextSettingKey, string> & TypedSettings;
export interface ResolvedSettings {
  values: Settings;
  /** Each setting as given (text) and where it came from: what `config` shows. */
  sources: Record<SettingKey, ResolvedSetting>;
}

export interface ResolveInput {
  /** Values given as flags on this command line. */
  flags: Partial<Record<SettingKey, string>>;
  /** Values the session chose (e.g. `project DIR` in the REPL); weaker than flags, stronger than env. */
  session?: Partial<Record<SettingKey, string>>;
  env?: NodeJS.ProcessEnv;
  /** Injected for tests; by default the Temporal CLI's profile file is read when it exists. */
  profileValues?: Partial<Record<ProfileKey, string>>;
}

const PATH_KEYS: ReadonlySet<SettingKey> = new Set([
  'projectDir',
  'workerDir',
  'starterDir',
  'stateDir',
  'logDir',
  'pidDir',
  'tlsCertPath',
  'tlsKeyPath',
  'tlsCaPath',
]);

export function resolveSettings(input: ResolveInput): ResolvedSettings {
  const env = input.env ?? process.env;
  const values: Partial<Record<SettingKey, string>> = {};
  const sources = {} as Record<SettingKey, ResolvedSetting>;
  let profile: Partial<Record<ProfileKey, string>> | undefined = input.profileValues;
  for (const spec of SETTINGS) {
    let found: ResolvedSetting | undefined;
    const flagValue = input.flags[spec.key];
    const sessionValue = input.session?.[spec.key];
    if (flagValue !== undefined) found = { value: flagValue, source: 'flag' };
    else if (sessionValue !== undefined) found = { value: sessionValue, source: 'session' };
    else {
      const envName = spec.env.find((name) => env[name] !== undefined && env[name] !== '');
      if (envName) found = { value: env[envName] as string, source: `env ${envName}` };
    }
    if (!found && spec.profileKey) {
      profile ??= readTemporalProfile(values.profile ?? 'default', env);
      const fromProfile = profile[spec.profileKey];
      if (fromProfile) found = { value: fromProfile, source: `profile ${values.profile ?? 'default'}` };
    }
    found ??= { value: spec.fallback(values), source: 'default' };
    if (PATH_KEYS.has(spec.key) && found.value) found.value = resolve(found.value);
    values[spec.key] = found.value;
    sources[spec.key] = found;
  }
  return { values: typedSettings(values as Record<SettingKey, string>), sources };
}

/**
 * The text values with the typed ones parsed. Lenient (the prompt resolves settings too): a value that
 * does not parse is undefined here, and validateSettings() names it.
 */
function typedSettings(text: Record<SettingKey, string>): Settings {
  const lenient = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch {
      return undefined;
    }
  };
  return {
    ...text,
    tls: lenient(() => booleanSetting(text.tls, 'tls')),
    uiPort: lenient(() => portSetting(text.uiPort, 'ui-port')),
  };
}

/** Rejects values that cannot name files: they would fail later with an obscure system error. */
export function validateSettings(values: Settings, sources?: Record<SettingKey, ResolvedSetting>): void {
  for (const spec of SETTINGS) {
    const v = sources?.[spec.key].value ?? values[spec.key];
    if (typeof v === 'string' && v.includes('\0')) throw new UsageError(`--${spec.flag} contains a NUL character`);
  }
  if (sources) {
    booleanSetting(sources.tls.value, 'tls');
    portSetting(sources.uiPort.value, 'ui-port');
  }
  const name = values.projectName;
  if (
    !name.trim() ||
    name.includes('/') ||
    name.length > 100 ||
    /[\x00-\x1f]/.test(name) ||
    name === '.' ||
    name === '..'
  ) {
    throw new UsageError(
      `project name ${JSON.stringify(name.slice(0, 40))} cannot name log and PID files`,
      'use letters, digits, dots, dashes (at most 100), via --project-name or TSHELL_PROJECT_NAME',
    );
  }
}

/** Settings discovery found, taking the place of defaults only (flags, env and profile win). */
export function withDiscovered(
  resolved: ResolvedSettings,
  found: Partial<Record<TextSettingKey, { value: string; source: string }>>,
): ResolvedSettings {
  const values = { ...resolved.values };
  const sources = { ...resolved.sources };
  for (const [key, hit] of Object.entries(found) as [TextSettingKey, { value: string; source: string }][]) {
    if (sources[key].source !== 'default') continue;
    values[key] = hit.value;
    sources[key] = { value: hit.value, source: `discovered ${hit.source}` };
  }
  return { values, sources };
}

/** A yes/no setting (`--tls`, TEMPORAL_TLS): true, false, or undefined when unset. */
export function booleanSetting(text: string, flag: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === '') return undefined;
  if (['true', '1', 'yes', 'on'].includes(t)) return true;
  if (['false', '0', 'no', 'off'].includes(t)) return false;
  throw new UsageError(`--${flag} must be true or false, not ${JSON.stringify(text.slice(0, 40))}`);
}

/** A TCP port (`--ui-port`): a number from 1 to 65535, or undefined when unset. */
export function portSetting(text: string, flag: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > 65535)
    throw new UsageError(`--${flag} must be a port from 1 to 65535, not ${JSON.stringify(text.slice(0, 40))}`);
  return n;
}

export function settingByFlag(flag: string): SettingSpec | undefined {
  return SETTINGS.find((s) => s.flag === flag);
}
