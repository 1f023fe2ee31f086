// Project discovery of a 200-file project: cold (every file parsed by the ast helper) and warm
// (the mtime cache): one-shot `projects` less one-shot `help` (which reads no project) run alongside.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, median, row } from './lib.js';

export async function benchDiscovery({ stateDir, env }) {
  const { mkdirSync, writeFileSync, readdirSync, rmSync: rm } = await import('node:fs');
  const big = join(stateDir, 'big-project');
  mkdirSync(join(big, 'app'), { recursive: true });
  writeFileSync(join(big, 'requirements.txt'), 'temporalio\n');
  writeFileSync(join(big, 'app', '__init__.py'), '');
  writeFileSync(join(big, 'app', 'config.py'), 'TASK_QUEUE = "big"\n');
  writeFileSync(
    join(big, 'app', 'worker.py'),
    'import asyncio\nfrom temporalio.worker import Worker\nfrom app.config import TASK_QUEUE\nfrom app.mod_1 import Wf1, act_1\n\nasync def main():\n    await Worker(None, task_queue=TASK_QUEUE, workflows=[Wf1], activities=[act_1]).run()\n\nif __name__ == "__main__":\n    asyncio.run(main())\n',
  );
  for (let i = 1; i <= 197; i++) {
    writeFileSync(
      join(big, 'app', `mod_${i}.py`),
      `from temporalio import activity, workflow\n\n@activity.defn\nasync def act_${i}(x: str) -> str:\n    return x\n\n@workflow.defn\nclass Wf${i}:\n    @workflow.run\n    async def run(self, x: str) -> str:\n        return x\n`,
    );
  }
  const helpMs = () => {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, [BIN, 'help'], {
      cwd: big,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const run = () => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, 'projects', '--json'], {
      cwd: big,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (!/"taskQueue": ?"big"/.test(String(r.stdout))) throw new Error(`discovery failed: ${r.stdout}${r.stderr}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const clear = () => {
    const dir = join(stateDir, 'discovery');
    for (const f of readdirSync(dir)) if (f !== 'python.json') rm(join(dir, f));
  };
  run(); // the interpreter behind a pyenv shim is asked once and remembered
  const cold = [];
  const warm = [];
  for (let i = 0; i < 9; i++) {
    const base = helpMs();
    clear();
    cold.push(run() - base);
    warm.push(run() - base);
  }
  row(
    'discovery of a 200-file project, cold (beyond a one-shot `help`)',
    median(cold),
    '',
    undefined,
    '≤ 300 ms',
    median(cold) <= 300,
  );
  row(
    'discovery of a 200-file project, cached (beyond a one-shot `help`)',
    median(warm),
    '',
    undefined,
    '≤ 30 ms',
    median(warm) <= 30,
  );
}
