// Diagnosis through child workflows: a parent that waits on a stuck or failing child is diagnosed by
// its child's own finding (recursively, depth ≤ 5), and the tree can be printed (`trace`).
import type { Settings } from '../config/settings.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { classSpec } from './classes.js';
import { EvidenceCache, gatherEvidence, type Evidence } from './evidence.js';
import { procedureSteps } from './procedures.js';
import { classify, type Finding } from './rules.js';

export const MAX_DEPTH = 5;

export interface DiagnosedNode {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  findings: Finding[];
  children: DiagnosedNode[];
}

/** Gathers evidence, diagnoses the running children first, then classifies with their findings. */
export async function diagnoseDeep(
  h: TemporalHandle,
  settings: Settings,
  workflowId: string,
  runId?: string,
  cache = new EvidenceCache(settings),
  depth = 0,
): Promise<{ ev: Evidence; node: DiagnosedNode }> {
  const ev = await gatherEvidence(h, settings, workflowId, runId, cache);
  const children: DiagnosedNode[] = [];
  if (depth < MAX_DEPTH) {
    for (const c of ev.desc.pendingChildren ?? []) {
      const child = await diagnoseDeep(h, settings, c.workflowId, c.runId || undefined, cache, depth + 1).catch(
        () => undefined,
      );
      if (child) children.push(child.node);
    }
  }
  ev.children = children.map((n) => {
    const f = n.findings[0];
    return {
      workflowId: n.workflowId,
      runId: n.runId,
      type: n.type,
      status: n.status,
      ...(f
        ? {
            first: {
              class: f.class,
              severity: f.severity,
              summary: f.summary,
              problem: classSpec(f.class).problem,
              evidence: f.evidence,
            },
          }
        : {}),
    };
  });
  const findings = classify(ev, (id) => procedureSteps(id, ev.desc.workflowId));
  return {
    ev,
    node: {
      workflowId: ev.desc.workflowId,
      runId: ev.desc.runId,
      type: ev.desc.type,
      status: ev.desc.status,
      findings,
      children,
    },
  };
}
