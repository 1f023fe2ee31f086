// Splits one REPL or script line into words with shell quoting rules, without a shell:
// operators (|, &&, >, ;) are refused; $VARS are left as written.
import { lazy } from '../lazy.js';
import { UsageError } from '../errors.js';

export function splitLine(line: string): string[] {
  if (/^[\w@%+=:,./ -]*$/.test(line)) return line.trim().split(/\s+/).filter(Boolean);
  const words: string[] = [];
  for (const part of lazy.shellQuote().parse(line, (name) => `$${name}`)) {
    if (typeof part === 'string') words.push(part);
    else if ('comment' in part) break;
    else if ('op' in part && part.op === 'glob') words.push(part.pattern);
    else throw new UsageError(`shell operators are not supported: ${'op' in part ? part.op : '?'}`, 'quote the value, e.g. --input \'{"a": 1}\'');
  }
  return words;
}
