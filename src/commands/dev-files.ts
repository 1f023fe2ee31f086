// What `tshell dev` watches: the files the worker reported loading, else the project's own sources.
import { readFileSync } from 'node:fs';
import { pythonFiles } from '../project/discover.js';
import { join, relative, sep } from 'node:path';
import type { Settings } from '../config/settings.js';
import type { WorkerReport } from '../processes/worker-report.js';

/** Never watched: environments, caches, tests (discovery's file list already leaves most of these out). */
const IGNORED_DIR = /^(\.|__pycache__$|venv$|site-packages$|node_modules$|tests?$|build$|dist$)/;
/** A change to one of these may change the environment: the warm Python is started anew. */
export const ENVIRONMENT_FILES = ['pyproject.toml', 'uv.lock', 'requirements.txt', 'poetry.lock', '.venv/pyvenv.cfg'];
const WORKFLOW_CODE = /@workflow\.defn\b|from temporalio import workflow\b|import temporalio\.workflow\b/;

export interface Watched {
  files: string[];
  workflowFiles: Set<string>;
}

/** What to watch: the files the worker reported loading (inside the project), else the project's sources. */
export function watchedFiles(settings: Settings, report: WorkerReport | undefined): Watched {
  const inProject = (f: string) =>
    f.startsWith(settings.projectDir + sep) &&
    !relative(settings.projectDir, f)
      .split(sep)
      .slice(0, -1)
      .some((p) => IGNORED_DIR.test(p));
  if (report?.files?.length) {
    return {
      files: report.files.filter(inProject),
      workflowFiles: new Set((report.workflowFiles ?? []).filter(inProject)),
    };
  }
  const files = [...pythonFiles(settings.projectDir).keys()].map((f) => join(settings.projectDir, f)).filter(inProject);
  const workflowFiles = files.filter((f) => {
    try {
      return WORKFLOW_CODE.test(readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
  return { files, workflowFiles: new Set(workflowFiles) };
}
