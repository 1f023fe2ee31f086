// Deterministic generator of hostile command lines (fixed seed): random text, real command names
// with hostile values, and mutations of valid lines.
import { allCommands } from '../../src/commands/registry.js';
import { allFlags } from '../../src/cli-model/args.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  '"',
  "'",
  '\\',
  '\\\\"',
  'AND',
  'OR',
  'x" OR WorkflowId != "',
  "' OR 1=1 --",
  '\\n',
  '`id`',
  '$(id)',
  '$HOME',
  ';',
  '|',
  '&&',
  '>',
  '<',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  '{"a":',
  '[1,',
  "{'a': 1}",
  '{"a": 1}}',
  'null',
  'NaN',
  '-1',
  '0',
  '1e309',
  '0x10',
  '99999999999999999999',
  '',
  // Paths stay inside the test's temp dir (it is the cwd): nothing is written elsewhere.
  'a/../b',
  '/dev/null',
  '.',
  'sub dir',
  'ñandú',
  '工作流',
  '🚀🔥',
  '\u202eRTL',
  'zero\u200bwidth',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\t',
  'COMPLETED',
  'RUNNING',
  'greeting-*',
  'a'.repeat(300),
  'b'.repeat(10_000),
  '--',
  '-',
  '--json',
  '--yes',
  '-w',
  '--id=',
  '==',
];

const SKIP = new Set(['setup', 'exit', 'quit']);

export function fuzzLines(count: number, seed = 1337): string[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const commands = allCommands().filter((c) => !SKIP.has(c.name) && !c.hidden); // __complete is a machine protocol: an empty answer is valid there
  const valid: string[] = [];
  const quote = (v: string) => (rnd() < 0.5 ? `'${v.replace(/'/g, '')}'` : `"${v.replace(/"/g, '\\"')}"`);
  const randomText = (n: number) =>
    Array.from({ length: n }, () =>
      String.fromCodePoint(rnd() < 0.8 ? 32 + Math.floor(rnd() * 95) : Math.floor(rnd() * 0x2fff)),
    ).join('');
  const lines: string[] = [];
  while (lines.length < count) {
    const kind = rnd();
    let line: string;
    if (kind < 0.15) line = randomText(1 + Math.floor(rnd() * 80));
    else if (kind < 0.75 || valid.length === 0) {
      const c = pick(commands);
      const words = [rnd() < 0.9 ? c.name : pick(c.aliases ?? [c.name])];
      const flags = allFlags(c);
      const n = Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) {
        const f = pick(flags);
        words.push(`--${f.name}`);
        if (f.type !== 'boolean' || rnd() < 0.2) words.push(quote(pick(HOSTILE)));
      }
      if (rnd() < 0.3) words.push(quote(pick(HOSTILE)));
      line = words.join(' ');
      valid.push(line);
    } else {
      // Mutate an earlier line: delete, insert or replace a few characters.
      const chars = [...pick(valid)];
      for (let i = 0; i < 1 + Math.floor(rnd() * 3); i++) {
        const at = Math.floor(rnd() * (chars.length + 1));
        const op = rnd();
        if (op < 0.33) chars.splice(at, 1);
        else if (op < 0.66) chars.splice(at, 0, pick(['"', "'", '\\', '-', '=', ' ', '\u0000', '#', '{']));
        else chars[at] = randomText(1);
      }
      line = chars.join('');
    }
    line = line.replace(/[\r\n]/g, ' ');
    if (SKIP.has(line.trim().split(/\s+/)[0] ?? '')) continue;
    lines.push(line);
  }
  return lines;
}
