// `tierflow scale <operator>=N`: replicas of the chain holding an operator in a running local deploy.
import type { Command } from 'commander';
import { findDeploy } from '../../deploy/local/find.js';
import { scaleLocal } from '../../deploy/local/scale.js';
import { DEFAULT_STATE_ROOT } from '../../deploy/local/state.js';

export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('change the replicas of an operator\'s chain in a running local deploy (adds partitions if needed)')
    .argument('<operator=N>', 'e.g. detect=2')
    .option('--topology <name>', 'local deploy (default: the only one)')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .action(async (request: string, flags: { topology?: string; stateDir: string }) => {
      const r = await scaleLocal(await findDeploy(flags.stateDir, flags.topology), request);
      const parts = r.partitionsAfter > r.partitionsBefore ? `, ${r.topic} grown from ${r.partitionsBefore} to ${r.partitionsAfter} partitions (restarted ${r.restarted.join(', ')})` : '';
      process.stdout.write(`scaled chain ${r.chain} to ${r.replicas} replicas${parts}\n`);
    });
}
