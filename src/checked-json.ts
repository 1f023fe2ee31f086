// JSON from outside this process (a PID, lock or session file, the helper socket, a Python helper's
// output) is checked against its schema where it is read, so the rest of the code works with typed
// values and never with a cast. zod/mini is bundled into dist (see scripts/build.mjs); its load costs
// about 10 ms on Node 24, so the two files the REPL's first prompt reads (a PID file, the session
// file) are checked by hand in pidfile.ts and context.ts instead.
import type * as z from 'zod/mini';
import { ErrorCodes, TshellError } from './errors.js';

/** The first problem zod found, as one phrase: `pid: expected number, received string`. */
function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'not the expected shape';
  const at = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return `${at}${issue.message}`;
}

/** A value checked against the schema, or undefined (for readers that treat anything else as absent). */
export function checkedOrUndefined<T>(schema: z.ZodMiniType<T>, value: unknown): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** JSON text checked against the schema, or undefined when it is not JSON or not that shape. */
export function parseOrUndefined<T>(schema: z.ZodMiniType<T>, text: string): T | undefined {
  try {
    return checkedOrUndefined(schema, JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * JSON text checked against the schema; anything else is one clear error naming what sent it
 * (`what`: "the replayer's output", "the helper's reply") and the first thing that was wrong.
 */
export function parseChecked<T>(schema: z.ZodMiniType<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TshellError(`${what} is not JSON: ${text.slice(0, 120)}`, ErrorCodes.internal);
  }
  const r = schema.safeParse(value);
  if (!r.success)
    throw new TshellError(`${what} is not what tshell expects (${firstIssue(r.error)})`, ErrorCodes.internal);
  return r.data;
}
