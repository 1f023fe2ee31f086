// Watching the worker's source files for `dev`: the folders that hold them (editors save by writing
// a new file and renaming it over the old one, which a watch on the file itself would lose), a
// debounce so one save (or a formatter right after it) is one change, and the content compared so
// that a save that changed nothing restarts nothing.
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function digest(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined; // removed (or mid-rename): compared again when the debounce ends
  }
}

export interface SourceWatch {
  /** Watches these files from now on (the worker's report after a restart may name new ones). */
  set(files: string[]): void;
  close(): void;
}

/** Calls `onChange` with the files whose content changed, `debounceMs` after the last event. */
export function watchSources(
  files: string[],
  onChange: (changed: string[], at: number) => void,
  debounceMs = 150,
): SourceWatch {
  const known = new Map<string, string | undefined>();
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let firstEventAt = 0;

  const flush = () => {
    timer = undefined;
    const changed = [...pending].filter((f) => {
      const now = digest(f);
      if (now === known.get(f)) return false;
      known.set(f, now);
      return true;
    });
    pending.clear();
    if (changed.length) onChange(changed.sort(), firstEventAt);
  };

  const set = (next: string[]) => {
    for (const f of next) if (!known.has(f)) known.set(f, digest(f));
    for (const f of [...known.keys()]) if (!next.includes(f)) known.delete(f);
    const dirs = new Set(next.map((f) => dirname(f)));
    for (const [dir, w] of watchers) {
      if (!dirs.has(dir)) {
        w.close();
        watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: true }, (_event, name) => {
          const file = name ? join(dir, basename(name.toString())) : undefined;
          if (!file || !known.has(file)) return;
          if (!timer) firstEventAt = Date.now();
          pending.add(file);
          clearTimeout(timer);
          timer = setTimeout(flush, debounceMs);
        });
        w.on('error', () => watchers.delete(dir));
        watchers.set(dir, w);
      } catch {
        // the folder went away: nothing to watch there
      }
    }
  };
  set(files);
  return {
    set,
    close() {
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
