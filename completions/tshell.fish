# tshell completion for fish, generated from the command registry by `tshell completions fish`.
# Candidates come from `tshell __complete` (commands, flags, statuses, workflow ids).
function __tshell_complete
  set -l words (commandline -opc) (commandline -ct)
  tshell __complete $words[2..-1] 2>/dev/null
end
complete -c tshell -f -a '(__tshell_complete)'
