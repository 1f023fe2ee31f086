// Colour policy in one place: off for NO_COLOR, --no-color, JSON output and non-TTY output.
// chalk is only loaded when colour is on (start-up time matters for one-shot commands).

export interface Paint {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

export interface Style {
  color: boolean;
  c: Paint;
  ok: string;
  fail: string;
  warn: string;
  info: string;
  /** Columns of the terminal the output goes to; absent off a terminal (nothing is then cut). */
  width?: number;
}

const same = (text: string): string => text;
const PLAIN: Paint = { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same };
let colored: Paint | undefined;

/** Loads chalk when colour is wanted; call before makeStyle(true). */
export async function loadColors(color: boolean): Promise<void> {
  if (!color || colored) return;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  colored = { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
}

export function makeStyle(color: boolean, width?: number): Style {
  const c = color && colored ? colored : PLAIN;
  return {
    color: c !== PLAIN,
    c,
    ok: c.green('✓'),
    fail: c.red('✗'),
    warn: c.yellow('!'),
    info: c.cyan('…'),
    ...(width ? { width } : {}),
  };
}

/** The width to fit tables to: the terminal's columns when the output is a terminal, else none. */
export function terminalWidth(out: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number | undefined {
  if (!out.isTTY) return undefined;
  const cols = out.columns || process.stdout.columns || Number(env.COLUMNS);
  return cols > 20 ? cols : 80;
}

export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}
