// The classifier as data: one row per class, read top to bottom. Each rule says which evidence it
// needs, how it matches (on the SDK's real messages and failure types, not loose words), and which
// procedure fixes it. Adding a class is adding a row (and a fixture that reproduces it).
import type { ProcedureId } from './procedures.js';
import { classSpec, type DiagnosisClass, type Severity } from './classes.js';
import type { Evidence } from './evidence.js';
import type { Match, Rule } from './rule-evidence.js';
import { WORKFLOW_TASK_RULES } from './rules-workflow-task.js';
import { ACTIVITY_AND_QUEUE_RULES } from './rules-activity.js';
import { OUTCOME_RULES } from './rules-outcome.js';

export type { Severity } from './classes.js';
export type { EvidenceItem, Source } from './evidence.js';
export type { Match, Rule } from './rule-evidence.js';

/** Read top to bottom: the order is part of the table. */
export const RULES: Rule[] = [...WORKFLOW_TASK_RULES, ...ACTIVITY_AND_QUEUE_RULES, ...OUTCOME_RULES];

export interface Finding extends Match {
  class: DiagnosisClass;
  severity: Severity;
  procedure: { id: ProcedureId; steps: string[] };
}

const ORDER: Severity[] = ['critical', 'error', 'warning', 'info'];

/**
 * Every matching row, less those another match explains better (`suppresses`); the healthy rows
 * only when no problem matched. Ordered by severity.
 */
export function classify(ev: Evidence, steps: (id: ProcedureId) => string[]): Finding[] {
  const matched = RULES.flatMap((rule) => {
    const m = rule.match(ev);
    return m ? [{ cls: rule.class, m }] : [];
  });
  const suppressed = new Set<string>(matched.flatMap(({ cls }) => classSpec(cls).suppresses ?? []));
  let kept = matched.filter(({ cls }) => !suppressed.has(cls));
  // A COMPLETED run handled its activities' failures: they are evidence of how it closed, not headlines.
  const handled = ev.desc.status === 'COMPLETED' ? kept.filter(({ cls }) => classSpec(cls).stage === 'activity') : [];
  kept = kept.filter((k) => !handled.includes(k));
  const anyProblem = kept.some(({ cls }) => classSpec(cls).problem);
  const advisory = (cls: DiagnosisClass) => Boolean(classSpec(cls).advisory);
  const closed = ev.desc.status !== 'RUNNING';
  return (
    kept
      .filter(({ cls }) => classSpec(cls).problem || advisory(cls) || !anyProblem)
      .map(({ cls, m }): Finding => {
        const spec = classSpec(cls);
        const procedure = (closed && spec.closedProcedure) || spec.procedure;
        const evidence =
          classSpec(cls).stage === 'result' || classSpec(cls).stage === 'healthy'
            ? [
                ...m.evidence,
                ...handled.flatMap((h) =>
                  h.m.evidence.slice(0, 1).map((e) => ({ ...e, text: `handled by the workflow: ${h.m.summary}` })),
                ),
              ]
            : m.evidence;
        const filled = steps(procedure).map((st) =>
          Object.entries(m.fill ?? {}).reduce((acc, [k, v]) => acc.replaceAll(`{${k}}`, v), st),
        );
        return {
          class: cls,
          severity: spec.severity,
          summary: m.summary,
          evidence,
          procedure: { id: procedure, steps: filled },
          ...(m.waitingOn ? { waitingOn: m.waitingOn } : {}),
        };
      })
      // Advice comes after the diagnosis, whatever its severity.
      .sort(
        (a, b) =>
          Number(advisory(a.class)) - Number(advisory(b.class)) ||
          ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity),
      )
  );
}
