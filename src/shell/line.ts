// Splits one REPL or script line into words with shell quoting rules, without a shell:
// operators (|, &&, >, ;) are refused; $VARS are left as written.
import { parse } from 'shell-quote';
import { UsageError } from '../errors.js';

export function splitLine(line: string): string[] {
  const words: string[] = [];
  for (const part of parse(line, (name) => `$${name}`)) {
    if (typeof part === 'string') words.push(part);
    else if ('comment' in part) break;
    else if ('op' in part && part.op === 'glob') words.push(part.pattern);
    else throw new UsageError(`shell operators are not supported: ${'op' in part ? part.op : '?'}`, 'quote the value, e.g. --input \'{"a": 1}\'');
  }
  return words;
}
