// The troubleshooting decision tree as data. Each node is a
// question; it is answered from the evidence when the evidence can answer it (and the answer cites
// that evidence), and asked of the user only when it cannot (is this workflow meant to wait? is this
// result right?). Walking the tree lands on a diagnosis class; the classifier's findings supply the
// facts, so the tree and `diagnose` can never disagree about what the evidence shows.
import type { Evidence } from './evidence.js';
import type { EvidenceItem, Finding } from './rules.js';
import { classesAt, type DiagnosisClass } from './classes.js';

export interface TreeInput {
  ev: Evidence;
  findings: Finding[];
  /** Signals and updates the workflow declares (asked of the worker), when known. */
  handlers?: { signals: string[]; updates: string[] };
}

/** Where an answer leads: another question, or a class. */
export type Go = { node: NodeId } | { land: DiagnosisClass };

export interface Answered {
  answer: string;
  evidence: EvidenceItem[];
  go: Go;
}

export interface Question {
  message: string;
  choices: { value: string; name: string; go: Go }[];
  /** The branch taken when nobody can answer (stdin is not a terminal). */
  assume: string;
}

export interface TreeNode {
  question: string;
  /** The answer the evidence gives, or undefined when only the user knows. */
  fromEvidence(input: TreeInput): Answered | undefined;
  /** What to ask the user when the evidence is silent. */
  ask?(input: TreeInput): Question;
}

const has = (input: TreeInput, ...classes: DiagnosisClass[]): Finding | undefined =>
  input.findings.find((f) => classes.includes(f.class));
const landOn = (f: Finding, answer: string): Answered => ({ answer, evidence: f.evidence, go: { land: f.class } });

const WORKFLOW_TASK_CLASSES = classesAt('workflow-task');
const ACTIVITY_CLASSES = classesAt('activity');

export type NodeId =
  | 'status'
  | 'stale'
  | 'polled'
  | 'workflow-task'
  | 'activity'
  | 'meant-to-wait'
  | 'failed-why'
  | 'result-shape'
  | 'result-right';

export const TREE: Record<NodeId, TreeNode> = {
  status: {
    question: 'What state is the workflow in?',
    fromEvidence: ({ ev, findings }) => {
      const s = ev.desc.status;
      const item: EvidenceItem = {
        source: 'describe',
        text: `status ${s}, ${ev.desc.historyLength} events, task queue ${ev.desc.taskQueue}`,
      };
      const closedClass = (
        { TIMED_OUT: 'workflow-timeout', CANCELED: 'canceled', TERMINATED: 'terminated' } as Record<
          string,
          DiagnosisClass
        >
      )[s];
      if (closedClass) {
        // A timeout of one activity that ended the retries is that activity's timeout, not the workflow's.
        const f = findings.find((x) => x.class === closedClass) ?? findings[0];
        return { answer: s, evidence: [item, ...(f?.evidence ?? [])], go: { land: f?.class ?? closedClass } };
      }
      if (s === 'COMPLETED') return { answer: s, evidence: [item], go: { node: 'result-shape' } };
      if (s === 'FAILED') return { answer: s, evidence: [item], go: { node: 'failed-why' } };
      return { answer: `${s}: in progress; is it progressing?`, evidence: [item], go: { node: 'stale' } };
    },
  },
  stale: {
    question: "Does the project's worker run the newest code?",
    fromEvidence: (input) => {
      const f = has(input, 'stale-worker');
      if (f && input.findings.length === 1) return landOn(f, `no: ${f.summary}`);
      return {
        answer: f ? `no (${f.summary}), but something else is wrong too` : 'yes (or no worker of this project runs)',
        evidence: f?.evidence ?? [],
        go: { node: 'polled' },
      };
    },
  },
  polled: {
    question: "Does a worker poll the workflow's task queue?",
    fromEvidence: (input) => {
      const f = has(input, 'task-queue-mismatch');
      if (f) return landOn(f, `no: ${f.summary}`);
      if (input.ev.workflowPollers === 0) {
        const nw = has(input, 'no-worker');
        if (nw) return landOn(nw, `no: ${nw.summary}`);
      }
      return {
        answer: `yes: ${input.ev.workflowPollers} live poller(s) on ${input.ev.desc.taskQueue}`,
        evidence: [{ source: 'pollers', text: `${input.ev.workflowPollers} live workflow poller(s)` }],
        go: { node: 'workflow-task' },
      };
    },
  },
  'workflow-task': {
    question: 'Is its workflow task failing (the workflow code itself)?',
    fromEvidence: (input) => {
      const f = has(input, ...WORKFLOW_TASK_CLASSES);
      if (f) return landOn(f, `yes: ${f.summary}`);
      const wft = input.ev.desc.pendingWorkflowTask;
      return {
        answer: 'no: no failed workflow task since the last completed one',
        evidence: wft ? [{ source: 'describe', text: `pending workflow task, attempt ${wft.attempt}` }] : [],
        go: { node: 'activity' },
      };
    },
  },
  activity: {
    question: 'Is an activity failing, timing out, or never picked up?',
    fromEvidence: (input) => {
      const f = has(input, ...ACTIVITY_CLASSES, 'no-worker');
      if (f) return landOn(f, `yes: ${f.summary}`);
      const pending = input.ev.desc.pendingActivities;
      return {
        answer: pending.length ? `no: ${pending.length} activity(ies) running normally` : 'no: no pending activity',
        evidence: pending.map((a) => ({
          source: 'describe' as const,
          text: `${a.activityType} ${a.state}, attempt ${a.attempt}`,
        })),
        go: { node: 'meant-to-wait' },
      };
    },
  },
  'meant-to-wait': {
    question: 'Is the workflow meant to be waiting (for a signal, an update or a timer)?',
    fromEvidence: () => undefined,
    ask: ({ handlers }) => {
      const declared = handlers
        ? [
            ...handlers.signals.map((s) => `signal ${s || '(dynamic)'}`),
            ...handlers.updates.map((u) => `update ${u || '(dynamic)'}`),
          ]
        : [];
      return {
        message: `Nothing is failing and a worker polls. Is it meant to wait here${declared.length ? ` (it declares ${declared.join(', ')})` : ''}?`,
        choices: [
          { value: 'yes', name: 'yes: it waits for a signal, update or timer', go: { land: 'waiting' } },
          { value: 'no', name: 'no: it should have moved on', go: { land: 'stuck-unknown' } },
        ],
        assume: 'yes',
      };
    },
  },
  'failed-why': {
    question: 'What failed it?',
    fromEvidence: (input) => {
      const f = has(
        input,
        'activity-not-registered',
        'activity-timeout',
        'activity-retries-exhausted',
        'workflow-failed',
      );
      return f ? landOn(f, f.summary) : undefined;
    },
  },
  'result-shape': {
    question: 'Does the result look like an error?',
    fromEvidence: (input) => {
      const f = has(input, 'error-result');
      if (f) return landOn(f, `yes: ${f.summary}`);
      return {
        answer: 'no',
        evidence: [
          {
            source: 'result',
            eventId: input.ev.close?.eventId,
            text: JSON.stringify(input.ev.close?.result ?? null).slice(0, 200),
          },
        ],
        go: { node: 'result-right' },
      };
    },
  },
  'result-right': {
    question: 'Is the result what you expected?',
    fromEvidence: () => undefined,
    ask: ({ ev }) => ({
      message: `It COMPLETED with ${JSON.stringify(ev.close?.result ?? null).slice(0, 120)}. Is that the result you expected?`,
      choices: [
        { value: 'yes', name: 'yes', go: { land: 'healthy' } },
        { value: 'no', name: 'no: the logic is wrong', go: { land: 'wrong-result' } },
      ],
      assume: 'yes',
    }),
  },
};

export interface PathStep {
  question: string;
  answer: string;
  evidence: EvidenceItem[];
  /** Answered by the user (or assumed, off a terminal). */
  by: 'evidence' | 'user' | 'assumed';
}

/**
 * Walks the tree from `status`. `answer` asks the user; without it (no terminal) the question's
 * `assume` branch is taken and marked as assumed.
 */
export async function walkTree(
  input: TreeInput,
  answer?: (q: Question) => Promise<string>,
): Promise<{ path: PathStep[]; land: DiagnosisClass }> {
  const path: PathStep[] = [];
  let id: NodeId = 'status';
  for (let guard = 0; guard < 20; guard++) {
    const node: TreeNode = TREE[id];
    const known = node.fromEvidence(input);
    let go: Go;
    if (known) {
      path.push({ question: node.question, answer: known.answer, evidence: known.evidence, by: 'evidence' });
      go = known.go;
    } else if (node.ask) {
      const q = node.ask(input);
      const value = answer ? await answer(q) : q.assume;
      const choice = q.choices.find((c) => c.value === value) ?? q.choices[0];
      if (!choice) break;
      path.push({ question: q.message, answer: choice.name, evidence: [], by: answer ? 'user' : 'assumed' });
      go = choice.go;
    } else {
      // The evidence fits no branch: fall back on what the classifier found first.
      const f = input.findings[0];
      path.push({
        question: node.question,
        answer: f ? f.summary : 'unknown',
        evidence: f?.evidence ?? [],
        by: 'evidence',
      });
      return { path, land: f?.class ?? 'stuck-unknown' };
    }
    if ('land' in go) return { path, land: go.land };
    id = go.node;
  }
  return { path, land: input.findings[0]?.class ?? 'stuck-unknown' };
}
