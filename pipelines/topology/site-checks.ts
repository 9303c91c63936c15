// Sites (topology `sites`): each is a Kafka cluster of its own that mirrors to the backbone's, so each needs its
// own brokers, a name no other cluster has, and nodes that exist and belong to no other site.
import { DEFAULT_CENTRAL_SITE, type Topology } from './schema.js';
import { finding, listNames, type Finding } from './finding.js';

export function siteProblems(t: Topology): Finding[] {
  if (!t.sites) return [];
  if (t.backbone.type !== 'kafka') {
    return [finding(['sites'], `sites need a kafka backbone, the cluster every node no site lists uses and the sites mirror to; this topology's backbone is ${t.backbone.type}`)];
  }
  const out: Finding[] = [];
  if (t.backbone.security) {
    out.push(finding(['backbone', 'security'], 'sites with backbone.security are not supported yet: each site cluster would need its own credentials and ACLs; remove security or the sites'));
  }
  const central = t.backbone.site ?? DEFAULT_CENTRAL_SITE;
  const names = new Map<string, string>([[central, 'the backbone']]);
  const brokerOwner = new Map<string, string>(t.backbone.brokers.map((b) => [b, 'the backbone']));
  const siteOfNode = new Map<string, string>();
  const nodes = new Map(t.nodes.map((n, i) => [n.name, { n, i }]));
  t.sites.forEach((site, i) => {
    const owner = names.get(site.name);
    if (owner) out.push(finding(['sites', i, 'name'], `site '${site.name}' is also the name of ${owner}'s cluster: each site is one cluster, known to MirrorMaker 2 by its name`));
    else names.set(site.name, `sites[${i}]`);
    site.brokers.forEach((b, j) => {
      const other = brokerOwner.get(b);
      if (other) out.push(finding(['sites', i, 'brokers', j], `broker ${b} is also ${other}'s: a site has a cluster of its own, not one it shares`));
      else brokerOwner.set(b, `site '${site.name}'`);
    });
    site.nodes.forEach((name, j) => {
      const node = nodes.get(name);
      if (!node) {
        out.push(finding(['sites', i, 'nodes', j], `unknown node '${name}' (nodes: ${listNames(nodes.keys())})`));
        return;
      }
      const before = siteOfNode.get(name);
      if (before) out.push(finding(['sites', i, 'nodes', j], `node '${name}' is already in site '${before}': a node's workers use one cluster`));
      else siteOfNode.set(name, site.name);
      if (node.n.brokers) out.push(finding(['nodes', node.i, 'brokers'], `node '${name}' is in site '${site.name}', whose brokers its workers use: remove its own brokers`));
    });
  });
  return out;
}
