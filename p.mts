import { runAsCaller } from './src/shell/as-caller.js';
const env = { ...process.env, TSHELL_CALLER_PID: '1' } as Record<string, string>;
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!.toFixed(2);
const argv = process.argv.slice(2);
const t: number[] = [];
for (let i = 0; i < Number(process.env.N ?? 60); i++) {
  const s = performance.now();
  await runAsCaller({ argv, cwd: '/work/main/examples/hello', env, stdoutTTY: false, stderrTTY: false }, { stdout: () => {}, stderr: () => {} }, new AbortController().signal);
  t.push(performance.now() - s);
}
console.log(argv.join(' '), 'first', t[0]!.toFixed(1), 'median', med(t.slice(10)));
process.exit(0);
