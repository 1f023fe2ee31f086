// "Why didn't my schedule run?" in one place: paused (and why), actions the overlap policy skipped,
// actions missed beyond the catch-up window, and the last runs' workflows, each with its own finding.
import type { Settings } from '../config/settings.js';
import { mapSettled } from '../concurrency.js';
import type { TemporalHandle } from '../temporal/connection.js';
import { describeSchedule, type ScheduleDetails } from '../temporal/schedules.js';
import { diagnoseDeep } from './children.js';
import { classSpec } from './classes.js';
import { EvidenceCache } from './evidence.js';

export interface ScheduleFinding {
  kind: 'paused' | 'skipped-overlap' | 'missed-catchup' | 'runs-failing' | 'run-stuck' | 'never-ran' | 'healthy';
  severity: 'error' | 'warning' | 'info';
  summary: string;
  evidence: string[];
  /** tshell commands (or one `# …` step for the code) that fix it. */
  fix: string[];
}

export interface ScheduleRunDiagnosis {
  workflowId: string;
  runId: string;
  status: string;
  scheduledAt: string;
  /** The run's first problem finding, as diagnose names it. */
  finding?: { class: string; summary: string };
  error?: string;
}

export interface ScheduleDiagnosis {
  schedule: ScheduleDetails;
  findings: ScheduleFinding[];
  runs: ScheduleRunDiagnosis[];
}

const FAILED = new Set(['FAILED', 'TIMED_OUT', 'TERMINATED', 'CANCELED']);
const RUNS = 5;

async function diagnoseRuns(
  h: TemporalHandle,
  settings: Settings,
  d: ScheduleDetails,
): Promise<ScheduleRunDiagnosis[]> {
  const cache = new EvidenceCache(settings);
  const recent = d.recent.slice(-RUNS).reverse(); // newest first
  const settled = await mapSettled(recent, 4, (r) => diagnoseDeep(h, settings, r.workflowId, r.runId, cache));
  return settled.map((s, i): ScheduleRunDiagnosis => {
    const r = recent[i]!;
    if (!s.ok)
      return {
        workflowId: r.workflowId,
        runId: r.runId,
        status: 'UNKNOWN',
        scheduledAt: r.scheduledAt,
        error: s.error instanceof Error ? s.error.message : String(s.error),
      };
    const problem = s.value.node.findings.find((f) => classSpec(f.class).problem);
    return {
      workflowId: r.workflowId,
      runId: r.runId,
      status: s.value.node.status,
      scheduledAt: r.scheduledAt,
      ...(problem ? { finding: { class: problem.class, summary: problem.summary } } : {}),
    };
  });
}

function findingsOf(d: ScheduleDetails, runs: ScheduleRunDiagnosis[]): ScheduleFinding[] {
  const out: ScheduleFinding[] = [];
  const id = d.scheduleId;
  if (d.paused) {
    out.push({
      kind: 'paused',
      severity: 'warning',
      summary: `paused${d.note ? `: ${d.note}` : ' (no note)'}`,
      evidence: [`state: paused${d.pauseOnFailure ? ', pause-on-failure is on' : ''}`],
      fix: [`schedule unpause ${id}`],
    });
  }
  if (d.skippedOverlap > 0) {
    const still = d.running.map((r) => r.workflowId);
    out.push({
      kind: 'skipped-overlap',
      severity: 'warning',
      summary: `${d.skippedOverlap} action(s) skipped by the overlap policy ${d.overlap}: a run was still going when the next was due`,
      evidence: [
        `policies.overlap ${d.overlap}`,
        still.length ? `still running: ${still.join(', ')}` : 'no run is going now',
      ],
      fix: [
        ...(still.length ? [`diagnose --id ${still[0]}`] : []),
        '# or set another overlap policy (e.g. BUFFER_ONE) where the code creates the schedule',
        `schedule trigger ${id} --overlap ALLOW_ALL`,
      ],
    });
  }
  if (d.missedCatchupWindow > 0) {
    out.push({
      kind: 'missed-catchup',
      severity: 'warning',
      summary: `${d.missedCatchupWindow} action(s) missed: they were due while the server could not take them for longer than the catch-up window (${Math.round(d.catchupWindowMs / 1000)} s)`,
      evidence: [`info.numActionsMissedCatchupWindow ${d.missedCatchupWindow}`],
      fix: [`schedule backfill ${id} --start <when it stopped> --end <now>`],
    });
  }
  const failed = runs.filter((r) => FAILED.has(r.status));
  if (failed.length) {
    const newest = failed[0]!;
    out.push({
      kind: 'runs-failing',
      severity: 'error',
      summary: `${failed.length} of its last ${runs.length} run(s) ${failed.length === 1 ? 'is' : 'are'} ${[...new Set(failed.map((r) => r.status))].join('/')}: ${newest.workflowId}${newest.finding ? `: ${newest.finding.summary}` : ''}`,
      evidence: failed.map(
        (r) => `${r.workflowId} ${r.status}${r.finding ? ` (${r.finding.class})` : ''}, scheduled ${r.scheduledAt}`,
      ),
      fix: [`diagnose --id ${newest.workflowId}`],
    });
  }
  for (const r of runs.filter((x) => x.status === 'RUNNING' && x.finding)) {
    out.push({
      kind: 'run-stuck',
      severity: 'error',
      summary: `its run ${r.workflowId} is not progressing: ${r.finding?.summary ?? ''}`,
      evidence: [`${r.workflowId} RUNNING (${r.finding?.class ?? ''})`],
      fix: [`diagnose --id ${r.workflowId}`],
    });
  }
  if (d.recent.length === 0 && d.nextRuns.length === 0 && !d.paused) {
    out.push({
      kind: 'never-ran',
      severity: 'warning',
      summary: 'it has never run and nothing is scheduled next (no spec, or its remaining actions are used up)',
      evidence: [
        `spec: ${d.spec}`,
        ...(d.remainingActions !== undefined ? [`remaining actions: ${d.remainingActions}`] : []),
      ],
      fix: [`schedule trigger ${id}`],
    });
  }
  if (out.length === 0) {
    const last = runs[0];
    out.push({
      kind: 'healthy',
      severity: 'info',
      summary: `runs as scheduled (${d.spec})${last ? `: last run ${last.workflowId} ${last.status}` : ''}${d.nextRuns[0] ? `; next at ${d.nextRuns[0]}` : ''}`,
      evidence: [`${d.actionsTaken} action(s) taken`],
      fix: [],
    });
  }
  return out;
}

export async function diagnoseSchedule(
  h: TemporalHandle,
  settings: Settings,
  scheduleId: string,
): Promise<ScheduleDiagnosis> {
  const schedule = await describeSchedule(h, scheduleId);
  const runs = await diagnoseRuns(h, settings, schedule);
  return { schedule, findings: findingsOf(schedule, runs), runs };
}

export function scheduleHasProblem(d: ScheduleDiagnosis): boolean {
  return d.findings.some((f) => f.severity !== 'info');
}
