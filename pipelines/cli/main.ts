#!/usr/bin/env node
// The tierflow command. Commands live in ./commands/<name>.ts and are registered here explicitly, in the
// order `--help` lists them.
import { Command } from 'commander';
import { runCli } from './run.js';
import { registerValidate } from './commands/validate.js';
import { registerPlan } from './commands/plan.js';
import { registerRun } from './commands/run.js';
import { registerWorker } from './commands/worker.js';
import { registerDeploy } from './commands/deploy.js';
import { registerUndeploy } from './commands/undeploy.js';
import { registerStatus } from './commands/status.js';
import { registerTail } from './commands/tail.js';
import { registerScale } from './commands/scale.js';
import { registerMigrate } from './commands/migrate.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerSchemas } from './commands/schemas.js';
import { registerDocs } from './commands/docs.js';
import { followLauncher, needsWorkerSettings, relaunchWithWorkerSettings } from './worker-settings.js';
import { installBuiltinOperators, registry } from '../registry.js';

export function buildProgram(): Command {
  const program = new Command('tierflow')
    .description('Declarative multi-tier AIoT edge computing: place operators across device, edge, fog and cloud')
    .version('0.1.0')
    .showSuggestionAfterError(true);
  // Settings that subcommands inherit must be set before they are added.
  program.exitOverride().configureOutput({ outputError: () => undefined });
  registerValidate(program);
  registerPlan(program);
  registerRun(program);
  registerWorker(program);
  registerDeploy(program);
  registerUndeploy(program);
  registerStatus(program);
  registerTail(program);
  registerScale(program);
  registerMigrate(program);
  registerDashboard(program);
  registerSchemas(program);
  registerDocs(program);
  // Commands of the operator modules (the face library's models, enroll, faces).
  for (const e of registry().extensions) e.commands?.(program);
  return program;
}

if (needsWorkerSettings(process.argv, process.execArgv, process.env)) {
  process.exitCode = await relaunchWithWorkerSettings(process.argv);
} else {
  followLauncher();
  await installBuiltinOperators();
  process.exitCode = await runCli(buildProgram(), process.argv);
}
