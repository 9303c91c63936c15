// The one place the CLI turns an outcome into an exit code. A user error is one line (TierflowError: its
// message and exit code; a usage error: exit 2); anything else is a bug: one line, exit 70, stack on request.
import { CommanderError, type Command } from 'commander';
import { TopologyError, isTierflowError } from '../errors.js';

export const EXIT_USAGE = 2;
/** EX_SOFTWARE from sysexits.h: an internal error. */
export const EXIT_INTERNAL = 70;

export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** Runs the program on argv (as in process.argv) and returns the exit code; never throws. */
export async function runCli(program: Command, argv: string[], io: CliOutput = processOutput): Promise<number> {
  program.exitOverride();
  program.configureOutput({ outputError: () => undefined });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    return report(e, io);
  }
}

export function report(e: unknown, io: CliOutput): number {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return 0; // --help, --version
    io.err(`tierflow: ${e.message.replace(/^error: /, '')} (see tierflow --help)`);
    return EXIT_USAGE;
  }
  if (isTierflowError(e)) {
    io.err(e.message);
    if (e instanceof TopologyError) io.err(`tierflow: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'} found`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.err(`tierflow: internal error: ${message} (set TIERFLOW_DEBUG=1 for a stack trace)`);
  if (process.env['TIERFLOW_DEBUG'] === '1' && e instanceof Error && e.stack) io.err(e.stack);
  return EXIT_INTERNAL;
}
