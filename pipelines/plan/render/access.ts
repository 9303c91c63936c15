// The plan's least-privilege section for a person: per node its principal and every ACL, one row per resource.
import type { Plan } from '../types.js';
import { columns } from './columns.js';

export function renderAccessTable(plan: Plan): string {
  const access = plan.access;
  if (!access || access.nodes.length === 0) return '  (no node uses the backbone)';
  const rows: string[][] = [['NODE', 'PRINCIPAL', 'RESOURCE', 'OPERATIONS', 'WHY']];
  for (const n of access.nodes) {
    n.acls.forEach((a, i) => {
      const roles = a.resource === 'topic' ? n.topics.filter((u) => u.topic === a.name).map((u) => u.role).join(', ') : 'consumer group';
      rows.push([i === 0 ? n.node : '', i === 0 ? n.principal : '', `${a.resource}:${a.name}`, a.operations.join(','), roles]);
    });
  }
  for (const a of access.provisioner.acls) {
    rows.push(['(deploy)', 'backbone.security user', `${a.resource}:${a.name}${a.pattern === 'prefixed' ? '*' : ''}`, a.operations.join(','), 'provisions topics, credentials, ACLs']);
  }
  return columns(rows, '  ');
}
