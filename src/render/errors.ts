// The one place an error becomes text: "✗ message", details indented, then "hint: …".
// The stack trace only with TSHELL_DEBUG=1.
import { errorData, type TshellError } from '../errors.js';
import type { Style } from './style.js';

export function formatError(err: TshellError, style: Style, original?: unknown): string {
  const lines = [`${style.fail} ${style.c.red(err.message)}`];
  for (const d of err.details ?? []) lines.push(style.c.dim(`  │ ${d}`));
  if (err.hint) lines.push(`  ${style.c.dim('hint:')} ${err.hint}`);
  if (process.env.TSHELL_DEBUG && original instanceof Error && original.stack) lines.push(style.c.dim(original.stack));
  return lines.join('\n');
}

export function errorJson(err: TshellError): string {
  return JSON.stringify({ error: errorData(err) }, null, 2);
}
