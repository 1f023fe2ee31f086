// Reads address and namespace from the Temporal CLI's config profile (temporal.toml), the same file
// `temporal config set` writes. The parser is only loaded when the file exists.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function temporalConfigFile(env: NodeJS.ProcessEnv): string {
  if (env.TEMPORAL_CONFIG_FILE) return env.TEMPORAL_CONFIG_FILE;
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configHome, 'temporalio', 'temporal.toml');
}

export function readTemporalProfile(
  profile: string,
  env: NodeJS.ProcessEnv,
): Partial<Record<'address' | 'namespace', string>> {
  const file = temporalConfigFile(env);
  if (!existsSync(file)) return {};
  try {
    // envconfig is CommonJS; require keeps this synchronous and lazy.
    const require = createRequire(import.meta.url);
    const envconfig = require('@temporalio/envconfig') as typeof import('@temporalio/envconfig');
    const loaded = envconfig.loadClientConfigProfile({
      profile,
      configSource: { data: readFileSync(file) },
      disableEnv: true,
    });
    return { address: loaded.address, namespace: loaded.namespace };
  } catch {
    return {};
  }
}
