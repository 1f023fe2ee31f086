// Colour policy in one place: off for NO_COLOR, --no-color, JSON output and non-TTY output.
import { Chalk, type ChalkInstance } from 'chalk';

export interface Style {
  color: boolean;
  c: ChalkInstance;
  ok: string;
  fail: string;
  warn: string;
  info: string;
}

export function makeStyle(color: boolean): Style {
  const c = new Chalk({ level: color ? 1 : 0 });
  return { color, c, ok: c.green('✓'), fail: c.red('✗'), warn: c.yellow('!'), info: c.cyan('…') };
}

export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}
