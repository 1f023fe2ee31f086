// Evidence from the project's own code (what discovery read): where an activity or workflow is
// defined, which Worker(...) call registers what, and where each task queue is set. Rules add these
// items so a finding names the file and line to change.
import type { Evidence, EvidenceItem } from './evidence.js';

const list = (names: string[] | null): string =>
  names === null ? 'none' : names.includes('*') ? 'a computed list' : names.join(', ') || 'none';

/** What the running worker itself says it registers (its report: exact names, as the server sees them). */
function reported(ev: Evidence, kind: 'workflows' | 'activities'): EvidenceItem[] {
  const r = ev.report;
  return r
    ? [
        {
          source: 'worker-report',
          text: `the running worker (pid ${r.pid}, queue ${r.taskQueue}) registers ${kind}: ${r[kind].join(', ') || 'none'}`,
        },
      ]
    : [];
}

/** Where the activity is defined, and the Worker(...) calls that do not register it. */
export function activityCode(ev: Evidence, activityType: string): EvidenceItem[] {
  const code = ev.code;
  if (!code) return reported(ev, 'activities');
  const def = code.activities.find((a) => a.name === activityType);
  const items: EvidenceItem[] = [
    def
      ? { source: 'code', text: `activity ${activityType} is defined at ${def.where} (${def.function})` }
      : { source: 'code', text: `no @activity.defn named ${activityType} in the project` },
  ];
  const registeredAs = (n: string) => n === activityType || n === def?.function.split('.').pop();
  for (const w of code.workers) {
    if (w.activities?.some(registeredAs)) continue;
    items.push({
      source: 'code',
      text: `Worker(...) at ${w.where} registers activities: ${list(w.activities)} (add ${def?.function ?? activityType})`,
    });
  }
  return [...reported(ev, 'activities'), ...items];
}

/** The workflow names the Worker(...) calls register, and a class whose name= differs from the type. */
export function workflowCode(ev: Evidence, workflowType: string): EvidenceItem[] {
  const code = ev.code;
  if (!code) return reported(ev, 'workflows');
  const items: EvidenceItem[] = code.workers.map((w) => ({
    source: 'code' as const,
    text: `Worker(...) at ${w.where} registers workflows: ${list(w.workflows)}`,
  }));
  const named = code.workflows.find((w) => w.name === workflowType);
  const sameClass = code.workflows.find((w) => w.className === workflowType && w.name !== workflowType);
  if (sameClass)
    items.push({
      source: 'code',
      text: `class ${sameClass.className} at ${sameClass.where} is the workflow named "${sameClass.name}" (name= differs from the type started, ${workflowType})`,
    });
  else if (named)
    items.push({
      source: 'code',
      text: `workflow ${workflowType} is defined at ${named.where} (class ${named.className})`,
    });
  else items.push({ source: 'code', text: `no @workflow.defn named ${workflowType} in the project` });
  return [...reported(ev, 'workflows'), ...items];
}

/** Where each worker's task queue is set. */
export function queueCode(ev: Evidence): EvidenceItem[] {
  return (ev.code?.workers ?? []).flatMap((w) =>
    w.taskQueue?.value
      ? [
          {
            source: 'code' as const,
            text: `Worker(...) at ${w.where} polls ${w.taskQueue.value}${w.taskQueue.source ? ` (set at ${w.taskQueue.source})` : ''}`,
          },
        ]
      : [],
  );
}
