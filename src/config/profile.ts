// Reads address, namespace, API key and TLS settings from the Temporal CLI's config profile (temporal.toml), the same file
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

export type ProfileKey =
  'address' | 'namespace' | 'apiKey' | 'tls' | 'tlsCertPath' | 'tlsKeyPath' | 'tlsCaPath' | 'tlsServerName';

const pathOf = (source: unknown): string | undefined =>
  source && typeof source === 'object' && 'path' in source && typeof source.path === 'string' ? source.path : undefined;

export function readTemporalProfile(profile: string, env: NodeJS.ProcessEnv): Partial<Record<ProfileKey, string>> {
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
    const tls = loaded.tls;
    const out: Partial<Record<ProfileKey, string | undefined>> = {
      address: loaded.address,
      namespace: loaded.namespace,
      apiKey: loaded.apiKey,
      tls: tls ? String(!tls.disabled) : undefined,
      tlsCertPath: pathOf(tls?.clientCert),
      tlsKeyPath: pathOf(tls?.clientKey),
      tlsCaPath: pathOf(tls?.serverCACert),
      tlsServerName: tls?.serverName,
    };
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as Partial<
      Record<ProfileKey, string>
    >;
  } catch {
    return {};
  }
}
