// Protobuf timestamps (seconds as Long, nanos) to ISO strings, in one place.
export interface ProtoTimestamp {
  seconds?: unknown;
  nanos?: number | null;
}

export function tsToIso(ts: ProtoTimestamp | null | undefined): string | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  const seconds = Number(String(ts.seconds));
  if (!seconds && !ts.nanos) return undefined;
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** A protobuf Duration in seconds (same shape as a timestamp); undefined when absent. */
export function durationSeconds(d: ProtoTimestamp | null | undefined): number | undefined {
  return d ? Number(String(d.seconds ?? 0)) + (d.nanos ?? 0) / 1e9 : undefined;
}
