// The warm helper's protocol, in one place. Over a private Unix socket (helper-paths.ts): the client
// writes one request line, the helper answers with frames, one JSON object per line, until an exit
// code or a refusal. A refusal (wrong token, another build, not a warm command, busy) makes the client
// run the command in-process instead. Both sides check what they read: the helper each request with
// a schema (serve.ts), the thin client (dist/warm.cjs) each frame with readFrame, by hand, so that no
// zod loads on the one-shot path.

/** One request: a one-shot command line and the caller's world (the helper runs it as the caller would). */
export interface WarmRequest {
  /** A random secret only the owner can read: a request without it is refused. */
  token: string;
  /** The build the client belongs to: a helper of another build refuses and exits. */
  build: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdoutTTY: boolean;
  stderrTTY: boolean;
  columns?: number;
}

/** Answers: output to stdout (o) or stderr (e), the exit code (x), or a refusal. */
export type WarmFrame = { o: string } | { e: string } | { x: number } | { refuse: string };

/**
 * A frame line checked by hand rather than by a schema: the thin client reads one per write of the
 * command's output, and loading zod there would cost each one-shot more than the check is worth.
 */
export function readFrame(line: string): WarmFrame | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  const [key] = keys;
  const value: unknown = (v as Record<string, unknown>)[key ?? ''];
  if (keys.length !== 1) return undefined;
  if ((key === 'o' || key === 'e' || key === 'refuse') && typeof value === 'string') return v as WarmFrame;
  if (key === 'x' && typeof value === 'number' && Number.isInteger(value)) return v as WarmFrame;
  return undefined;
}
