// A COMPLETED workflow can still carry an error in disguise ({"status": "error", ...}). This decides,
// from the decoded result alone, whether it looks like one and says why.

const ERROR_STATUS = new Set(['error', 'errored', 'failed', 'failure', 'fail', 'exception', 'ko']);
const ERROR_TEXT = /^\s*(error|exception|traceback|failed|failure)\b/i;

export function errorShapedReason(value: unknown, depth = 0): string | undefined {
  if (depth > 3 || value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    return ERROR_TEXT.test(value) ? `the result is a string starting "${value.trim().slice(0, 40)}"` : undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 20)) {
      const reason = errorShapedReason(item, depth + 1);
      if (reason) return reason;
    }
    return undefined;
  }
  if (typeof value !== 'object') return undefined;
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    const k = key.toLowerCase();
    if (
      (k === 'status' || k === 'state' || k === 'outcome' || k === 'result') &&
      typeof v === 'string' &&
      ERROR_STATUS.has(v.toLowerCase())
    ) {
      return `"${key}" is "${v}"`;
    }
    if (
      (k === 'error' || k === 'exception' || k === 'err') &&
      v !== null &&
      v !== false &&
      v !== '' &&
      v !== undefined
    ) {
      return `it has an "${key}" field`;
    }
    if ((k === 'errors' || k === 'failures') && Array.isArray(v) && v.length > 0)
      return `"${key}" lists ${v.length} item(s)`;
    if ((k === 'success' || k === 'ok') && v === false) return `"${key}" is false`;
    if (k === 'failed' && v === true) return `"${key}" is true`;
  }
  // A top-level status that says all is well settles it; otherwise look one level down.
  const says = Object.entries(obj).find(([k]) => ['status', 'state', 'outcome'].includes(k.toLowerCase()))?.[1];
  if (typeof says === 'string') return undefined;
  for (const [key, v] of Object.entries(obj)) {
    if (v && typeof v === 'object') {
      const inner = errorShapedReason(v, depth + 1);
      if (inner) return `${key}: ${inner}`;
    }
  }
  return undefined;
}
