#!/usr/bin/env node
// The tierflow command. Commands live in ./commands/<name>.ts and are registered here explicitly, in the
// order `--help` lists them.
import { Command } from 'commander';
import { runCli } from './run.js';
import { followLauncher, needsWorkerSettings, relaunchWithWorkerSettings } from './worker-settings.js';
import { installBuiltinOperators, registry } from '../registry.js';

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: a process that runs one command (a worker, the controller's
 * `migrate`) loads only that one, ~0.6 s less of a start here, the time a standby or a decision waits. Help, a
 * misspelt command and the operator modules' commands load them all.
 */
const COMMANDS: ReadonlyArray<[string, () => Promise<Register>]> = [
  ['validate', async () => (await import('./commands/validate.js')).registerValidate],
  ['plan', async () => (await import('./commands/plan.js')).registerPlan],
  ['run', async () => (await import('./commands/run.js')).registerRun],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
  ['deploy', async () => (await import('./commands/deploy.js')).registerDeploy],
  ['undeploy', async () => (await import('./commands/undeploy.js')).registerUndeploy],
  ['status', async () => (await import('./commands/status.js')).registerStatus],
  ['tail', async () => (await import('./commands/tail.js')).registerTail],
  ['scale', async () => (await import('./commands/scale.js')).registerScale],
  ['migrate', async () => (await import('./commands/migrate.js')).registerMigrate],
  ['dashboard', async () => (await import('./commands/dashboard.js')).registerDashboard],
  ['schemas', async () => (await import('./commands/schemas.js')).registerSchemas],
  ['docs', async () => (await import('./commands/docs.js')).registerDocs],
];

/** The program with the command `argv` names, or with every command when it names none of them. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('tierflow')
    .description('Declarative multi-tier AIoT edge computing: place operators across device, edge, fog and cloud')
    .version('0.1.0')
    .showSuggestionAfterError(true);
  // Settings that subcommands inherit must be set before they are added.
  program.exitOverride().configureOutput({ outputError: () => undefined });
  const named = COMMANDS.filter(([name]) => name === argv[2]);
  const wanted = named.length > 0 ? named : COMMANDS;
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program);
  // Commands of the operator modules (the face library's models, enroll, faces).
  if (named.length === 0) for (const e of registry().extensions) e.commands?.(program);
  return program;
}

if (needsWorkerSettings(process.argv, process.execArgv, process.env)) {
  process.exitCode = await relaunchWithWorkerSettings(process.argv);
} else {
  followLauncher();
  await installBuiltinOperators();
  process.exitCode = await runCli(await buildProgram(process.argv), process.argv);
}
