# tshell completion for bash, generated from the command registry by `tshell completions bash`.
# Candidates come from `tshell __complete` (commands, flags, statuses, workflow ids).
_tshell() {
  local IFS=$'\n'
  local out
  out=$(tshell __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || out=""
  if [ -z "$out" ] && [ "$COMP_CWORD" -eq 1 ]; then
    out=$(compgen -W "ensure-server server-start server ensure-worker restart-worker kill-worker stop-worker kill-all-workers list-workers workers lw dev watch start wait result describe desc signal update query cancel terminate bulk-cancel use ui recent ls list count schedules schedule stalled health logs log errors analyze history show stack task-queue tq diagnose why trace wizard fix recipe replay reset setup doctor config help ? project cd projects exit quit clear cls feed tour completions mcp" -- "${COMP_WORDS[COMP_CWORD]}" | tr ' ' '\n')
  fi
  COMPREPLY=($out)
}
complete -o default -F _tshell tshell
