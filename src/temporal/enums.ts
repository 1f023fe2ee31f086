// Names of the API's enum values (they arrive as numbers), from the proto module that the client
// loads anyway; one loader and one cached lookup for every enum tshell shows.
type EnumTables = Record<string, Record<number, string> | null | undefined>;

let tables: EnumTables | undefined;
const cache = new Map<string, string>();

export async function loadEnums(): Promise<void> {
  tables ??= (await import('@temporalio/proto')).default.temporal.api.enums.v1 as unknown as EnumTables;
}

/** `enumName(3, 'RETRY_STATE_')` → `MAXIMUM_ATTEMPTS_REACHED`; strings lose the prefix; unknown → the number. */
export function enumName(value: unknown, prefix: string): string {
  if (typeof value === 'string') return value.replace(prefix, '');
  const key = `${prefix}${String(value)}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (tables && typeof value === 'number') {
    for (const table of Object.values(tables)) {
      if (!table || typeof table !== 'object') continue;
      const name = table[value];
      if (typeof name === 'string' && name.startsWith(prefix)) {
        cache.set(key, name.slice(prefix.length));
        return name.slice(prefix.length);
      }
    }
  }
  return String(value ?? '');
}

/** Status names as the Temporal CLI spells them (the TS SDK says CANCELLED). */
export function normalizeStatus(name: string): string {
  const upper = name.toUpperCase().replace(/^WORKFLOW_EXECUTION_STATUS_/, '');
  return upper === 'CANCELLED' ? 'CANCELED' : upper;
}
