// Ctrl-R reverse history search for the REPL (Node's readline has none). It hooks readline's key
// handler, which is internal but has kept its shape across Node versions: while searching, keys edit
// the query; Enter runs the match, Ctrl-G/Ctrl-C give up, any other key takes the match and goes on.
import type { Interface } from 'node:readline';
import type { Writable } from 'node:stream';

interface Key {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
}

interface ReadlineInternals {
  line: string;
  cursor: number;
  history: string[];
  _ttyWrite(s: string | undefined, key: Key | undefined): void;
  _refreshLine(): void;
}

/** The index of the newest history entry at or after `from` that contains `query`. */
export function findInHistory(history: readonly string[], query: string, from = 0): number {
  for (let i = Math.max(0, from); i < history.length; i++) {
    if ((history[i] ?? '').includes(query)) return i;
  }
  return -1;
}

export function installReverseSearch(rl: Interface, output: Writable): void {
  const r = rl as unknown as ReadlineInternals;
  if (typeof r._ttyWrite !== 'function' || typeof r._refreshLine !== 'function') return;
  const original = r._ttyWrite.bind(rl);
  let searching = false;
  let query = '';
  let found = -1;
  let saved = '';

  const match = () => (found >= 0 ? (r.history[found] ?? '') : '');
  const show = () => output.write(`\r\x1b[K(reverse-i-search)\`${query}': ${match()}`);
  const setLine = (text: string) => {
    r.line = text;
    r.cursor = text.length;
    r._refreshLine();
  };
  const leave = (text: string) => {
    searching = false;
    setLine(text);
  };

  r._ttyWrite = (s, key) => {
    if (!searching) {
      if (key?.ctrl && key.name === 'r') {
        searching = true;
        query = '';
        found = -1;
        saved = r.line;
        show();
        return;
      }
      original(s, key);
      return;
    }
    if (key?.ctrl && key.name === 'r') {
      const next = findInHistory(r.history, query, found + 1);
      if (next >= 0) found = next;
      show();
      return;
    }
    if (key?.ctrl && (key.name === 'g' || key.name === 'c')) {
      leave(saved);
      return;
    }
    if (key?.name === 'backspace') {
      query = query.slice(0, -1);
      found = query ? findInHistory(r.history, query) : -1;
      show();
      return;
    }
    if (key?.name === 'return' || key?.name === 'enter') {
      leave(match() || saved);
      original(s, key);
      return;
    }
    if (s && !key?.ctrl && !key?.meta && !/[\x00-\x1f\x7f]/.test(s)) {
      query += s;
      const at = findInHistory(r.history, query, Math.max(found, 0));
      found = at >= 0 ? at : findInHistory(r.history, query);
      show();
      return;
    }
    // Arrows, Tab, Esc…: take the match into the line and let readline handle the key.
    leave(match() || saved);
    original(s, key);
  };
}
