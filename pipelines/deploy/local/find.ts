// Which local deploy a command means: a topology name, a topology file (its name is read from it), or the only
// one deployed when none is named.
import { existsSync, readdirSync } from 'node:fs';
import { TierflowError } from '../../errors.js';
import { compileTopology } from '../../cli/compile.js';
import { deployPaths, type DeployPaths } from './state.js';

export function deployedNames(stateRoot: string): string[] {
  if (!existsSync(stateRoot)) return [];
  return readdirSync(stateRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(deployPaths(stateRoot, e.name).desired))
    .map((e) => e.name)
    .sort();
}

export async function findDeploy(stateRoot: string, nameOrFile: string | undefined): Promise<DeployPaths> {
  let name = nameOrFile;
  if (name && /\.ya?ml$/.test(name) && existsSync(name)) name = (await compileTopology(name)).plan.topology;
  if (!name) {
    const names = deployedNames(stateRoot);
    if (names.length !== 1) {
      throw new TierflowError(
        'DEPLOY_STATE',
        names.length === 0 ? `no local deploy in ${stateRoot}` : `several local deploys in ${stateRoot} (${names.join(', ')}): name one with --topology`,
        { exitCode: 2 },
      );
    }
    name = names[0]!;
  }
  const paths = deployPaths(stateRoot, name);
  if (!existsSync(paths.desired)) {
    const names = deployedNames(stateRoot);
    throw new TierflowError('DEPLOY_STATE', `topology ${name} is not deployed locally (state dir ${stateRoot}${names.length ? `; deployed: ${names.join(', ')}` : ''})`, { exitCode: 2 });
  }
  return paths;
}
