// The guided wizard: walks the decision tree as a conversation, answering every question it can from
// the evidence (and showing it), asking only what it cannot know, then explains the class, proposes
// the procedure, runs it with consent (pausing where the developer edits code) and re-checks.
// Off a terminal it never waits: it prints the path and the proposal and runs nothing without --yes.
import { ExitCode } from '../errors.js';
import { runCheck, type CheckResult } from '../diagnosis/checks.js';
import { type Evidence } from '../diagnosis/evidence.js';
import { diagnoseDeep } from '../diagnosis/children.js';
import { classesAt, classSpec, type DiagnosisClass } from '../diagnosis/classes.js';
import { procedureCheck, procedureSteps, type CheckKind, type ProcedureId } from '../diagnosis/procedures.js';
import { replayWorkflow, type ReplayOutcome } from '../diagnosis/replay.js';
import { type EvidenceItem, type Finding } from '../diagnosis/rules.js';
import { walkTree, type PathStep } from '../diagnosis/tree.js';
import type { Style } from '../render/style.js';
import { splitLine } from '../cli-model/line.js';
import { WORKFLOW_REF } from '../cli-model/option-sets.js';
import { describeTarget } from './resolve.js';
import { runStep, shownLine } from './steps.js';
import { defineCommand, type CommandContext } from '../cli-model/types.js';

interface StepRun {
  step: string;
  exitCode?: number;
  /** manual steps: done (the user said so), assumed (--yes off a terminal) */
  manual?: 'done' | 'assumed';
  output?: string;
}

export interface WizardData {
  workflowId: string;
  runId: string;
  status: string;
  path: PathStep[];
  class: DiagnosisClass;
  severity: string;
  summary: string;
  explanation: string;
  replay?: Pick<ReplayOutcome, 'ok' | 'kind' | 'eventId' | 'eventType' | 'reason' | 'resetTo'>;
  procedure: { id: ProcedureId | 'reset'; steps: string[] };
  /** Whether the steps ran: declined, not-asked (no terminal, no --yes), ran, nothing-to-run. */
  consent: 'ran' | 'declined' | 'not-asked' | 'nothing-to-run';
  ran: StepRun[];
  check?: CheckResult;
}

const DESTRUCTIVE = new Set(['terminate', 'cancel', 'reset', 'bulk-cancel']);
const HEALTHY = new Set<DiagnosisClass>(classesAt('healthy'));

function evidenceLines(items: EvidenceItem[], s: Style): string[] {
  return items.map((e) =>
    s.c.dim(`      ${e.source}${e.eventId ? ` event ${e.eventId}` : ''}${e.line ? ` line ${e.line}` : ''}: ${e.text}`),
  );
}

export function renderPathStep(p: PathStep, s: Style): string {
  const by = p.by === 'evidence' ? '' : p.by === 'user' ? ' (your answer)' : ' (assumed: no terminal to ask)';
  return [
    `${s.c.cyan('?')} ${p.question}`,
    `  ${s.c.bold('→')} ${p.answer}${by}`,
    ...evidenceLines(p.evidence, s),
  ].join('\n');
}

function landing(
  cls: DiagnosisClass,
  findings: Finding[],
  workflowId: string,
): { severity: string; summary: string; procedure: ProcedureId } {
  const f = findings.find((x) => x.class === cls);
  if (f) return { severity: f.severity, summary: f.summary, procedure: f.procedure.id };
  const spec = classSpec(cls);
  return { severity: spec.severity, summary: spec.userSummary ?? `${cls} (${workflowId})`, procedure: spec.procedure };
}

/** For a waiting workflow: which signal or update to send, asked (declared handlers first). */
async function interactionStep(
  ctx: CommandContext,
  ev: Evidence,
  handlers: { signals: string[]; updates: string[] } | undefined,
): Promise<string[]> {
  const id = ev.desc.workflowId;
  const choices = [
    ...(handlers?.signals ?? []).filter(Boolean).map((n) => ({ value: `signal ${n}`, name: `signal ${n}` })),
    ...(handlers?.updates ?? []).filter(Boolean).map((n) => ({ value: `update ${n}`, name: `update ${n}` })),
  ];
  if (!ctx.prompter || choices.length === 0) return procedureSteps('send-interaction', id);
  const pick = await ctx.prompter.select('What should it receive?', [
    ...choices,
    { value: 'none', name: 'nothing now' },
  ]);
  if (pick === 'none') return [];
  const input = await ctx.prompter.input('Input as JSON (empty for none)', '');
  return [shownLine([...pick.split(' '), '--id', id, ...(input.trim() ? ['--input', input.trim()] : [])])];
}

export const wizardCommand = defineCommand({
  name: 'wizard',
  aliases: ['fix'],
  group: 'diagnosis',
  effect: 'act',
  summary: 'Walk the troubleshooting tree with the evidence, explain the cause, and run the fix with your consent',
  examples: ['wizard', 'wizard --id YourWorkflowId', 'wizard --yes   # off a terminal: run the proposed steps'],
  flags: [
    ...WORKFLOW_REF,
    {
      name: 'check-timeout',
      type: 'number',
      min: 0,
      default: 60,
      metavar: 'SECONDS',
      description: 'how long the re-check after a fix may wait',
    },
  ],
  fields: {
    workflowId: 'workflow id',
    runId: 'run id',
    status: 'status at the start',
    path: '[{question, answer, evidence[], by: evidence|user|assumed}]',
    class: 'the class landed on',
    severity: 'its severity',
    summary: 'one line',
    explanation: 'what it means, for a newcomer',
    replay: 'for non-determinism: {ok, kind, eventId, eventType, reason, resetTo}',
    procedure: '{id, steps[]}',
    consent: 'ran | declined | not-asked | nothing-to-run',
    ran: '[{step, exitCode, manual, output}]',
    check:
      '{kind, verdict: passed|failed|unknown, ok, text, eventId, attempt, workflowId, runId, howToCheck}: the re-check after the fix and the evidence it rests on',
  },
  async run(ctx, args): Promise<WizardData> {
    const say = (text: string) => {
      if (!ctx.json) ctx.print(`${text}\n`);
    };
    const s = ctx.style;
    const { h, desc } = await describeTarget(ctx, args);
    ctx.progress(`gathering evidence on ${desc.workflowId}…`);
    const { ev, node } = await diagnoseDeep(h, ctx.settings, desc.workflowId, desc.runId);
    const findings = node.findings;
    const quiet =
      ev.desc.status === 'RUNNING' && findings.every((f) => HEALTHY.has(f.class) || classSpec(f.class).advisory);
    const handlers = quiet ? ev.handlers : undefined;

    const path: PathStep[] = [];
    const walked = await walkTree(
      { ev, findings, handlers },
      ctx.prompter
        ? (q) =>
            ctx.prompter!.select(
              q.message,
              q.choices.map((c) => ({ value: c.value, name: c.name })),
            )
        : undefined,
    );
    for (const p of walked.path) {
      path.push(p);
      say(renderPathStep(p, s));
    }
    const cls = walked.land;
    const land = landing(cls, findings, ev.desc.workflowId);
    const spec = classSpec(cls);
    const explanation =
      ev.desc.status !== 'RUNNING' && spec.closedExplanation ? spec.closedExplanation : spec.explanation;
    say(`\n${HEALTHY.has(cls) ? s.ok : s.fail} ${s.c.bold(cls)} (${land.severity}): ${land.summary}\n  ${explanation}`);

    let procedure: WizardData['procedure'] = {
      id: land.procedure,
      steps: procedureSteps(land.procedure, ev.desc.workflowId),
    };
    let check: CheckKind | undefined = classSpec(cls).check ?? procedureCheck(land.procedure);
    let replay: WizardData['replay'];
    if (cls === 'nondeterminism') {
      // Prove it before anything is terminated, and see whether a reset could keep the progress.
      try {
        ctx.progress('replaying the history against the current code…');
        const r = await replayWorkflow(
          h,
          ctx.settings,
          ctx.project().plan.runner,
          ev.desc.workflowId,
          ev.desc.runId,
          [],
          ctx.signal,
        );
        replay = {
          ok: r.ok,
          kind: r.kind,
          eventId: r.eventId,
          eventType: r.eventType,
          reason: r.reason,
          resetTo: r.resetTo,
        };
        say(
          r.ok
            ? `  ${s.warn} replay: the current code replays this history. The worker that failed ran other code; restarting it may be enough.`
            : `  replay confirms it: code and history part${r.eventId ? ` at event ${r.eventId} (${r.eventType})` : ''}${r.reason ? `: ${r.reason}` : ''}`,
        );
        if (r.resetTo) {
          say(
            `  alternative: reset to event ${r.resetTo.eventId} keeps ${r.resetTo.keeps} and redoes ${r.resetTo.redoes}`,
          );
          const choice = ctx.prompter
            ? await ctx.prompter.select('How do you want to recover?', [
                { value: 'new', name: 'terminate, fix, restart the worker and start a new workflow' },
                {
                  value: 'reset',
                  name: `restart the worker on the fixed code, then reset to event ${r.resetTo.eventId} (keeps the progress)`,
                },
              ])
            : 'new';
          if (choice === 'reset') {
            procedure = {
              id: 'reset',
              steps: [
                '# fix the workflow code so that it matches the kept history',
                'ensure-worker --force',
                `reset --id ${ev.desc.workflowId} --event ${r.resetTo.eventId}`,
              ],
            };
            check = 'task-completes';
          }
        }
      } catch (err) {
        say(
          `  ${s.warn} could not replay (${err instanceof Error ? err.message.split('\n')[0] : String(err)}): going by the worker's report`,
        );
      }
    }
    if (cls === 'waiting') procedure = { id: 'send-interaction', steps: await interactionStep(ctx, ev, handlers) };

    const ran: StepRun[] = [];
    const runnable = procedure.steps.filter((st) => !st.startsWith('#') && !/\b(NAME|JSON)\b/.test(st));
    let consent: WizardData['consent'] = runnable.length === 0 ? 'nothing-to-run' : 'not-asked';
    if (procedure.steps.length)
      say(`\n  fix (${procedure.id}):\n${procedure.steps.map((st, i) => `    ${i + 1}. ${st}`).join('\n')}`);
    if (runnable.length > 0) {
      if (ctx.yes) consent = 'ran';
      else if (ctx.prompter) consent = (await ctx.prompter.confirm('Run these steps now?', true)) ? 'ran' : 'declined';
      else say(`  ${s.info} not run: stdin is not a terminal (rerun with --yes to run the steps)`);
    }
    let newWorkflowId: string | undefined;
    let newRunId: string | undefined;
    if (consent === 'ran') {
      for (const step of procedure.steps) {
        if (step.startsWith('#')) {
          const what = step.replace(/^#\s*/, '');
          if (ctx.prompter && !ctx.yes) {
            await ctx.prompter.pause(`${what}`);
            ran.push({ step, manual: 'done' });
          } else {
            say(`  ${s.info} ${what}: assumed done (--yes)`);
            ran.push({ step, manual: 'assumed' });
          }
          continue;
        }
        const words = splitLine(step);
        if (DESTRUCTIVE.has(words[0] ?? '')) words.push('--yes'); // consented to above, with the exact line shown
        const { data, ...r } = await runStep(ctx, words, { label: step });
        ran.push({ step, ...r });
        // A reset makes a new run: the re-check follows it, not the old one.
        if (words[0] === 'reset' && r.exitCode === 0) newRunId = (data as { newRunId?: string } | undefined)?.newRunId;
        if (words[0] === 'start' && r.exitCode === 0) {
          ctx.session.reload();
          newWorkflowId = ctx.session.current.workflowId;
        }
        if (r.exitCode !== 0) {
          say(`  ${s.fail} step failed (exit code ${r.exitCode}): stopping here`);
          break;
        }
      }
    }
    let result: CheckResult | undefined;
    const allRan = consent === 'ran' && ran.every((r) => r.exitCode === undefined || r.exitCode === 0);
    if (allRan && check) {
      ctx.progress('re-checking…');
      const resetEventId = procedure.id === 'reset' ? replay?.resetTo?.eventId : undefined;
      result = await runCheck(check, h, ev, {
        timeoutMs: args.flags['check-timeout'] * 1000,
        signal: ctx.signal,
        newWorkflowId,
        newRunId,
        ...(resetEventId ? { resetEventId } : {}),
        progress: (l) => ctx.progress(l),
      });
      const mark = result.verdict === 'passed' ? s.ok : result.verdict === 'failed' ? s.fail : s.warn;
      say(
        `${mark} re-check: ${result.text}${result.howToCheck ? `\n  check later with \`${result.howToCheck}\`` : ''}`,
      );
    }
    return {
      workflowId: ev.desc.workflowId,
      runId: ev.desc.runId,
      status: ev.desc.status,
      path,
      class: cls,
      severity: land.severity,
      summary: land.summary,
      explanation,
      ...(replay ? { replay } : {}),
      procedure,
      consent,
      ran,
      ...(result ? { check: result } : {}),
    };
  },
  // Everything was said as it happened (it is a conversation); the data is there for --json.
  render: () => '',
  // 0 when healthy or when the fix's re-check passed; 1 while something is still wrong.
  exitCode: (d) =>
    d.check ? (d.check.ok ? ExitCode.ok : ExitCode.failure) : HEALTHY.has(d.class) ? ExitCode.ok : ExitCode.failure,
});
