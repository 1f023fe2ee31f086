// Rows for a workflow task that fails or cannot run: the workflow code and its inputs.
import { workflowCode } from './code-evidence.js';
import type { Rule } from './rule-evidence.js';
import {
  attemptsItem,
  fromHistory,
  isBadInput,
  isBadShape,
  isDeadlock,
  isNondeterminism,
  isSandbox,
  isWfNotRegistered,
  NOT_REGISTERED_WF,
  runSignature,
  shapeProblem,
  taskFailure,
} from './rule-evidence.js';

export const WORKFLOW_TASK_RULES: Rule[] = [
  {
    class: 'sandbox-violation',
    // Checked before non-determinism: the SDK's sandbox error is a subclass of its non-determinism error.
    match: (ev) => {
      const f = taskFailure(ev, isSandbox);
      const call = /Cannot access (\S+?)(?:\.__call__)? from inside a workflow/.exec(f?.message ?? '')?.[1];
      return (
        f && {
          summary: `the workflow code calls ${call ?? 'something'}, which the sandbox forbids in workflow code (move it to an activity, or use workflow.now()/workflow.random())`,
          evidence: [fromHistory(f), ...attemptsItem(ev)],
        }
      );
    },
  },
  {
    class: 'nondeterminism',
    match: (ev) => {
      const f = taskFailure(ev, isNondeterminism);
      return (
        f && {
          summary: `the workflow code no longer matches its history (event ${f.eventId}); this run cannot recover`,
          evidence: [fromHistory(f), ...attemptsItem(ev)],
        }
      );
    },
  },
  {
    class: 'bad-input',
    match: (ev) => {
      const f = taskFailure(ev, isBadInput);
      if (!f) return undefined;
      const what = isBadShape(f)
        ? `started with input of the wrong shape: ${shapeProblem(f)}`
        : `started with the wrong number of inputs: ${f.message.split('\n')[0]}`;
      return {
        summary: `${what} (terminate it and start it with the right input: no code change can help, the input is fixed in its history)`,
        evidence: [fromHistory(f), ...attemptsItem(ev), ...runSignature(ev)],
      };
    },
  },
  {
    class: 'deadlock',
    match: (ev) => {
      const f = taskFailure(ev, isDeadlock);
      return (
        f && {
          summary: 'the workflow code blocked the worker for more than 2 s (a blocking call in workflow code)',
          evidence: [fromHistory(f), ...attemptsItem(ev)],
        }
      );
    },
  },
  {
    class: 'workflow-not-registered',
    match: (ev) => {
      const f = taskFailure(ev, isWfNotRegistered);
      return (
        f && {
          summary: `the worker does not register workflow ${NOT_REGISTERED_WF.exec(f.message)?.[1] ?? ev.desc.type}`,
          evidence: [fromHistory(f), ...attemptsItem(ev), ...workflowCode(ev, ev.desc.type)],
        }
      );
    },
  },
  {
    class: 'workflow-code-bug',
    match: (ev) => {
      const f = taskFailure(
        ev,
        (x) => !isNondeterminism(x) && !isSandbox(x) && !isDeadlock(x) && !isWfNotRegistered(x),
      );
      return (
        f && {
          summary: `the workflow code raised ${f.failure?.[0]?.type ?? 'an exception'}: ${f.message.split('\n')[0]} (the workflow waits; it resumes once fixed)`,
          evidence: [
            fromHistory(f),
            ...(f.frames ?? []).map((fr) => ({ source: 'history' as const, eventId: f.eventId, text: `at ${fr}` })),
            ...attemptsItem(ev),
          ],
        }
      );
    },
  },
  {
    class: 'child-workflow',
    match: (ev) => {
      if (ev.desc.status !== 'RUNNING') return undefined;
      const child = (ev.children ?? []).find((c) => c.first?.problem);
      if (!child?.first) return undefined;
      return {
        summary: `waits on child workflow ${child.workflowId} (${child.type}), which is ${child.first.class}: ${child.first.summary}`,
        evidence: [
          { source: 'describe', text: `pending child ${child.workflowId} (${child.type}), ${child.status}` },
          ...child.first.evidence.slice(0, 3).map((e) => ({ ...e, text: `child: ${e.text}` })),
        ],
        fill: { child: child.workflowId },
      };
    },
  },
];
