// Rows for how a run ended or waits: timeouts, failures, error results, cancel, smells, healthy.
import { errorShapedReason } from './error-result.js';
import { describeWaits } from './waiting.js';
import type { Rule } from './rule-evidence.js';

export const OUTCOME_RULES: Rule[] = [
  {
    class: 'workflow-timeout',
    match: (ev) =>
      ev.desc.status === 'TIMED_OUT'
        ? {
            summary: 'the workflow ran out of time (execution or run timeout)',
            evidence: [{ source: 'history', eventId: ev.close?.eventId, text: 'WorkflowExecutionTimedOut' }],
          }
        : undefined,
  },
  {
    class: 'workflow-failed',
    match: (ev) => {
      if (ev.desc.status !== 'FAILED') return undefined;
      const chain = ev.close?.failure ?? [];
      return {
        summary: `the workflow failed: ${chain.map((f) => (f.type ? `${f.type}: ${f.message}` : f.message)).join(' ← ')}`,
        evidence: [
          {
            source: 'history',
            eventId: ev.close?.eventId,
            text: `WorkflowExecutionFailed: ${chain[0]?.message ?? ''}`,
          },
        ],
      };
    },
  },
  {
    class: 'error-result',
    match: (ev) => {
      if (ev.desc.status !== 'COMPLETED') return undefined;
      const why = errorShapedReason(ev.close?.result);
      return why
        ? {
            summary: `the workflow COMPLETED but its result looks like an error (${why})`,
            evidence: [
              { source: 'result', eventId: ev.close?.eventId, text: JSON.stringify(ev.close?.result).slice(0, 200) },
            ],
          }
        : undefined;
    },
  },
  {
    class: 'canceled',
    match: (ev) =>
      ev.desc.status === 'CANCELED'
        ? {
            summary: `the workflow was canceled${ev.close?.reason ? `: ${ev.close.reason}` : ''}`,
            evidence: [{ source: 'history', eventId: ev.close?.eventId, text: 'WorkflowExecutionCanceled' }],
          }
        : undefined,
  },
  {
    class: 'terminated',
    match: (ev) =>
      ev.desc.status === 'TERMINATED'
        ? {
            summary: `terminated${ev.close?.identity ? ` by ${ev.close.identity}` : ''}${ev.close?.reason ? `: ${ev.close.reason}` : ''}`,
            evidence: [
              {
                source: 'history',
                eventId: ev.close?.eventId,
                text: `WorkflowExecutionTerminated: ${ev.close?.reason ?? ''}`,
              },
            ],
          }
        : undefined,
  },
  {
    class: 'config-smell',
    match: (ev) => {
      const smells = ev.smells ?? [];
      if (smells.length === 0) return undefined;
      return {
        summary: `${smells[0]?.text}${smells.length > 1 ? ` (and ${smells.length - 1} more)` : ''}`,
        evidence: smells.map((s) => ({
          source: 'history' as const,
          ...(s.eventId ? { eventId: s.eventId } : {}),
          text: `${s.kind}: ${s.text}`,
        })),
        fill: { change: [...new Set(smells.map((s) => s.change))].join('; ') },
      };
    },
  },
  {
    class: 'waiting',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING') return undefined;
      const waits = ev.waits ?? [];
      const received = waits.filter((w) => w.kind === 'signal-received' || w.kind === 'update-received');
      return {
        summary: `running and healthy, waiting on ${describeWaits(waits)}`,
        evidence: [
          { source: 'pollers', text: `${ev.workflowPollers} live poller(s) on ${ev.desc.taskQueue}` },
          ...waits
            .filter((w) => w.kind === 'timer')
            .map((w) => ({
              source: 'history' as const,
              eventId: w.eventId,
              text: `timer ${w.name} started${w.seconds !== undefined ? ` for ${w.seconds} s` : ''}`,
            })),
          ...(received.length
            ? [
                {
                  source: 'history' as const,
                  text: `received so far: ${received.map((w) => `${w.kind === 'signal-received' ? 'signal' : 'update'} ${w.name}`).join(', ')}`,
                },
              ]
            : []),
        ],
        waitingOn: waits,
      };
    },
  },
  {
    class: 'healthy',
    match: (ev) =>
      ev.desc.status === 'COMPLETED'
        ? {
            summary: 'completed with a plausible result',
            evidence: [
              {
                source: 'result',
                eventId: ev.close?.eventId,
                text: JSON.stringify(ev.close?.result ?? null).slice(0, 200),
              },
            ],
          }
        : undefined,
  },
];
