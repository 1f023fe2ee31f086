// The one command registry. The REPL, the one-shot parser, stdin scripts, help and completion all
// read this list; nothing lists commands a second time.
import { ensureServerCommand, serverCommand } from './server.js';
import { ensureWorkerCommand, killAllWorkersCommand, killWorkerCommand, listWorkersCommand } from './workers.js';
import { devCommand } from './dev.js';
import { describeCommand, resultCommand, waitCommand } from './workflows.js';
import { startCommand } from './start.js';
import { recentCommand, stalledCommand } from './monitor.js';
import { healthCommand, taskQueueCommand } from './health.js';
import { countCommand, listCommand } from './list.js';
import { scheduleCommand, schedulesCommand } from './schedules.js';
import { logsCommand } from './logs.js';
import { errorsCommand, historyCommand, stackCommand } from './inspect.js';
import { queryCommand, signalCommand, updateCommand } from './interact.js';
import { bulkCancelCommand, cancelCommand, terminateCommand } from './close.js';
import { uiCommand, useCommand } from './navigate.js';
import { configCommand, setupCommand } from './setup.js';
import { doctorCommand } from './doctor.js';
import { clearCommand, exitCommand, feedCommand, helpCommand, projectCommand } from './shell.js';
import { projectsCommand } from './projects.js';
import { completeCommand, completionsCommand } from './completions.js';
import { diagnoseCommand, traceCommand } from './diagnose.js';
import { replayCommand, resetCommand } from './replay.js';
import { wizardCommand } from './wizard.js';
import { recipeCommand } from './recipes.js';
import { tourCommand } from './tour.js';
import { mcpCommand } from './mcp.js';
import type { Command, CommandGroup, CommandRegistry } from '../cli-model/types.js';

export const GROUP_TITLES: Record<CommandGroup, string> = {
  server: 'Server',
  workers: 'Workers',
  workflows: 'Workflows',
  monitoring: 'Monitoring',
  diagnosis: 'Diagnosis',
  recipes: 'Recipes',
  setup: 'Setup',
  shell: 'Shell',
};

let commands: Command[] | undefined;

export function allCommands(): Command[] {
  commands ??= [
    ensureServerCommand,
    serverCommand,
    ensureWorkerCommand,
    killWorkerCommand,
    killAllWorkersCommand,
    listWorkersCommand,
    devCommand,
    startCommand,
    waitCommand,
    resultCommand,
    describeCommand,
    signalCommand,
    updateCommand,
    queryCommand,
    cancelCommand,
    terminateCommand,
    bulkCancelCommand,
    useCommand,
    uiCommand,
    recentCommand,
    listCommand,
    countCommand,
    schedulesCommand,
    scheduleCommand,
    stalledCommand,
    healthCommand,
    logsCommand,
    errorsCommand,
    historyCommand,
    stackCommand,
    taskQueueCommand,
    diagnoseCommand,
    traceCommand,
    wizardCommand,
    recipeCommand,
    replayCommand,
    resetCommand,
    setupCommand,
    doctorCommand,
    configCommand,
    helpCommand,
    projectCommand,
    projectsCommand,
    exitCommand,
    clearCommand,
    feedCommand,
    tourCommand,
    completionsCommand,
    mcpCommand,
    completeCommand,
  ];
  return commands;
}

export function visibleCommands(): Command[] {
  return allCommands().filter((c) => !c.hidden);
}

export function findCommand(name: string): Command | undefined {
  return allCommands().find((c) => c.name === name || c.aliases?.includes(name));
}

/** Names and aliases, for "did you mean" and completion. */
export function commandNames(): string[] {
  return visibleCommands().flatMap((c) => [c.name, ...(c.aliases ?? [])]);
}

/** The registry as commands see it (through their context, so no command imports this file). */
export const registry: CommandRegistry = {
  all: allCommands,
  visible: visibleCommands,
  find: findCommand,
  names: commandNames,
  groupTitles: GROUP_TITLES,
};
