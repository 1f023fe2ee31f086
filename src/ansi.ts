// Terminal colour and control codes: stripped from worker-log text (noise in tshell's output and in
// --json) and ignored when measuring a table cell's visible width.
export function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '');
}
