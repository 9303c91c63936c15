// Source checks a user needs before anything runs: a camera URL that carries its password in clear, a URL that
// cannot be opened anywhere (a placeholder host copied from a manual, a demo image that does not exist), and a
// camera attached to a node beyond the tier its frames may reach.
import type { Topology } from './schema.js';
import type { OperatorsByFlow } from './graph-checks.js';
import { finding, type Finding } from './finding.js';
import { operatorLimit, policyLimits } from '../plan/policy.js';

const ENV_REF = /\$\{env:[A-Za-z_][A-Za-z0-9_]*\}/g;
/** A host a network can resolve: DNS labels, an IPv4 address, or an [IPv6] literal. */
const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$|^\[[0-9A-Fa-f:.]+\]$/;

export function sourceUrlProblems(t: Topology): Finding[] {
  const out: Finding[] = [];
  t.sources.forEach((s, i) => {
    const path = ['sources', i, 'url'];
    const url = s.url;
    if (url.startsWith('rtsp://') || url.startsWith('rtsps://')) {
      const problem = cameraUrlProblem(s.name, url);
      if (problem) out.push(finding(path, problem));
    } else if (url.startsWith('file:') && url.replace(/^file:(\/\/)?/, '') === '') {
      out.push(finding(path, 'file: needs a path, e.g. file:clips/entrance.mp4 (relative to this file)'));
    }
  });
  return out;
}

/** What makes an rtsp(s):// URL unusable or unsafe, or undefined. `${env:NAME}` may stand for any part. */
export function cameraUrlProblem(source: string, url: string): string | undefined {
  const scheme = url.slice(0, url.indexOf('://'));
  const rest = url.slice(scheme.length + 3);
  const authority = rest.split(/[/?#]/, 1)[0] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  // user:password, where either may be (or hold) `${env:NAME}`, whose own ':' does not split them.
  const split = /^((?:\$\{env:[A-Za-z_][A-Za-z0-9_]*\}|[^:])*):(.*)$/.exec(userinfo);
  const user = split?.[1] ?? userinfo;
  const password = split?.[2] ?? '';
  if (password !== '' && password.replace(ENV_REF, '') !== '') {
    const envName = `${source.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}_PASSWORD`;
    return `camera URL holds a password in clear; write it as ${scheme}://${user}:\${env:${envName}}@${hostPort}/... and set ${envName} where the worker runs`;
  }
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  const host = m?.[1] ?? '';
  const port = m?.[2];
  if (host === '') return `camera URL has no host (${scheme}://HOST[:PORT]/PATH)`;
  const concrete = host.replace(ENV_REF, 'env');
  if (!HOSTNAME.test(concrete) || /^[0-9.]+$/.test(concrete) !== isIpv4(concrete) || /(^|\.)x(\.|$)/i.test(concrete)) {
    return `'${host}' is not a host name or IP address (a placeholder copied from a manual?); write the camera's address, e.g. ${scheme}://192.168.1.64:554/stream1`;
  }
  if (port !== undefined && port.replace(ENV_REF, '') !== '' && !(/^[0-9]{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return `'${port}' is not a port (1-65535); RTSP cameras usually listen on 554`;
  }
  return undefined;
}

function isIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

/** A camera read by a source operator must sit at or inside the tier its frames may reach: the operator runs
 *  where the camera is. One problem per camera, at its `node`. Returns the nodes reported, so placement checks
 *  do not report them again as the operator's. */
export function camerasBeyondPolicy(t: Topology, byFlow: OperatorsByFlow): { problems: Finding[]; nodes: Set<string> } {
  const problems: Finding[] = [];
  const nodes = new Set<string>();
  const limits = policyLimits(t);
  const tierOf = new Map(t.nodes.map((n) => [n.name, n.tier]));
  const readers = new Map<string, string>();
  for (const f of t.flows) {
    const def = byFlow.get(f.id);
    if (def && def.input === null) for (const name of f.inputs) if (!readers.has(name)) readers.set(name, f.id);
  }
  t.sources.forEach((s, i) => {
    const flowId = readers.get(s.name);
    const def = flowId === undefined ? undefined : byFlow.get(flowId);
    const tier = tierOf.get(s.node);
    if (!def || tier === undefined) return;
    const limit = operatorLimit(def, limits);
    if (!limit || t.tiers.indexOf(tier) <= limit.tierIndex) return;
    nodes.add(s.node);
    problems.push(
      finding(
        ['sources', i, 'node'],
        `camera '${s.name}' is attached to node '${s.node}' in tier '${tier}', beyond tier '${limit.tier}' where policy keeps ${limit.dataClass} data (${def.name}@${def.version} reads it there): attach it to a node at or inside '${limit.tier}', or widen policies.${limit.dataClass}`,
      ),
    );
  });
  return { problems, nodes };
}
