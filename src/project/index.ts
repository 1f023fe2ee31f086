// Project discovery, the part commands and the shell see: the run plan of the project dir and the
// settings it supplies (worker and starter commands, the folders they run in, the task queue), each
// with the file and line it came from. Explicit settings (flags, env, profile) always win.
import { withDiscovered, type ResolvedSettings, type SettingKey } from '../config/settings.js';
import { searchPath } from '../processes/tools.js';
import { joinWords } from '../cli-model/line.js';
import { discoverProject, type Discovery } from './discover.js';
import { findRoot, planProject, type RunPlan } from './plan.js';

export type { RunPlan, EntryPoint, ResolvedQueue, Runner } from './plan.js';
export type { Discovery, WorkflowDef, ActivityDef, WorkerCall } from './discover.js';

export interface Project {
  plan: RunPlan;
  discovery: Discovery;
}

const cache = new Map<string, Project>();

/** The project's plan (read once per process and directory; the file cache makes re-reads cheap). */
export function loadProject(projectDir: string, stateDir: string, env: NodeJS.ProcessEnv = process.env): Project {
  const key = `${projectDir}\0${stateDir}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const root = findRoot(projectDir);
  const discovery = discoverProject(projectDir, root, stateDir);
  const plan = planProject(projectDir, root, discovery, env, (name) => searchPath(name, env.PATH) !== undefined);
  const project = { plan, discovery };
  cache.set(key, project);
  return project;
}

/** Shell-style words of a command, quoted only where needed (settings hold commands as text). */
export const commandText = joinWords;

/** The settings the plan supplies, for `withDiscovered`. */
export function discoveredSettings(plan: RunPlan): Partial<Record<SettingKey, { value: string; source: string }>> {
  const found: Partial<Record<SettingKey, { value: string; source: string }>> = {};
  if (plan.worker) {
    found.workerCmd = { value: commandText(plan.worker.argv), source: plan.worker.where };
    found.workerDir = { value: plan.worker.cwd, source: plan.worker.where };
    const q = plan.worker.taskQueue;
    if (q?.value) found.taskQueue = { value: q.value, source: q.source };
  }
  if (plan.starter) {
    found.starterCmd = { value: commandText(plan.starter.argv), source: plan.starter.where };
    found.starterDir = { value: plan.starter.cwd, source: plan.starter.where };
  }
  return found;
}

/** Resolved settings with what discovery found in place of defaults. */
export function applyProject(resolved: ResolvedSettings, project: Project): ResolvedSettings {
  return withDiscovered(resolved, discoveredSettings(project.plan));
}

/** Forget the plans read so far (the warm helper lives long; each request reads the code afresh). */
export function forgetProjects(): void {
  cache.clear();
}
