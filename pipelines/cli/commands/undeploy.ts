// `tierflow undeploy <topology-name|file>`: stops the supervisor and every worker of a local deploy (SIGTERM,
// bounded wait, SIGKILL after it) and removes its state.
import type { Command } from 'commander';
import { findDeploy } from '../../deploy/local/find.js';
import { undeployLocal } from '../../deploy/local/lifecycle.js';
import { DEFAULT_STATE_ROOT } from '../../deploy/local/state.js';

export function registerUndeploy(program: Command): void {
  program
    .command('undeploy')
    .description('stop a local deploy: its supervisor and workers, gracefully; removes its state')
    .argument('[topology]', 'topology name or file (default: the only local deploy)')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .action(async (topology: string | undefined, flags: { stateDir: string }) => {
      const paths = await findDeploy(flags.stateDir, topology);
      const pids = await undeployLocal(paths);
      process.stdout.write(`undeployed ${paths.dir.split('/').at(-1)}: stopped ${pids.length} processes${pids.length ? ` (pids ${pids.join(' ')})` : ''}\n`);
    });
}
