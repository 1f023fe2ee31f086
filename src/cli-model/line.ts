// Splits one REPL or script line into words with shell quoting rules, without a shell:
// operators (|, &&, >, ;) are refused; $VARS are left as written.
import { lazy } from '../lazy.js';
import { UsageError } from '../errors.js';

export function splitLine(line: string): string[] {
  if (/^[\w@%+=:,./ -]*$/.test(line)) return line.trim().split(/\s+/).filter(Boolean);
  const words: string[] = [];
  const open = unterminatedQuote(line);
  if (open)
    throw new UsageError(
      `unterminated ${open === '"' ? 'double' : 'single'} quote`,
      'close the quote, or escape it with \\',
    );
  let parts: ReturnType<ReturnType<typeof lazy.shellQuote>['parse']>;
  try {
    parts = lazy.shellQuote().parse(line, (name) => `$${name}`);
  } catch (err) {
    throw new UsageError(
      `cannot read this line: ${err instanceof Error ? err.message : String(err)}`,
      'check the quotes',
    );
  }
  for (const part of parts) {
    if (typeof part === 'string') words.push(part);
    else if ('comment' in part) break;
    else if ('op' in part && part.op === 'glob') words.push(part.pattern);
    else
      throw new UsageError(
        `shell operators are not supported: ${'op' in part ? part.op : '?'}`,
        'quote the value, e.g. --input \'{"a": 1}\'',
      );
  }
  if (words.length === 0 && line.trim() && !line.trim().startsWith('#'))
    throw new UsageError('nothing to run on this line', 'type `help` for the commands');
  return words;
}

/** The quote character left open at the end of the line, if any. */
function unterminatedQuote(line: string): string | undefined {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') i++;
    else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) break;
  }
  return quote;
}

/** Words written back as one line that splitLine reads the same: quoted only where a word needs it. */
export function joinWords(words: string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
