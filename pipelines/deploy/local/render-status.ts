// `tierflow status` as text: processes, operators and cameras, each a small aligned table.
import type { DeployStatus } from './status.js';

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export function renderStatus(s: DeployStatus, now = Date.now()): string {
  const out = [`topology ${s.topology}: supervisor ${s.supervisor.up ? `up (pid ${s.supervisor.pid})` : 'DOWN'}`, ...migrationLines(s, now), ''];
  // Containerised workers also show the limits they run under (their node's cpu and memory).
  const limits = s.processes.some((p) => p.container);
  // Flows of several priorities: which operator's drops are whose (a low flow sheds first).
  const priorities = new Set(s.operators.map((o) => o.priority)).size > 1;
  const limitsOf = (p: DeployStatus['processes'][number]) => (limits ? [p.container ? `${p.container.cpus} cpu ${p.container.memoryMB} MB` : '-'] : []);
  out.push(
    ...table(
      ['PROCESS', 'NODE', 'STATE', 'PID', 'RESTARTS', 'UPTIME', ...(limits ? ['LIMITS'] : []), 'METRICS'],
      s.processes.map((p) => [p.standby ? `${p.id} (standby)` : p.id, p.node, p.state, p.pid ? String(p.pid) : '-', String(p.restarts), p.uptimeSec === null ? '-' : `${p.uptimeSec} s`, ...limitsOf(p), p.metrics ?? '-']),
    ),
    '',
    ...table(
      ['OPERATOR', 'NODE', 'REPLICAS', 'IN', 'OUT', 'FPS', 'LAG', 'DROPPED', ...(priorities ? ['PRIORITY'] : [])],
      s.operators.map((o) => [o.operator, o.node, String(o.replicas), String(o.recordsIn), String(o.recordsOut), o.fps.toFixed(1), String(o.lag), String(o.dropped), ...(priorities ? [o.priority] : [])]),
    ),
  );
  if (s.sources.length > 0) {
    out.push('', ...table(['CAMERA', 'NODE', 'STATE', 'SINCE', 'DETAIL'], s.sources.map((c) => [c.source, c.node, c.state, ago(c.since, now), c.detail ?? ''])));
  }
  if (s.mirrors.length > 0) {
    out.push(
      '',
      ...table(
        ['MIRROR', 'STATE', 'PID', 'RESTARTS', 'WAN', 'CLUSTER', 'BACKLOG', 'CARRIES'],
        s.mirrors.map((m) => [
          `mirror-${m.site}`,
          m.state,
          m.pid ? String(m.pid) : '-',
          String(m.restarts),
          `${m.wan.up ? 'up' : 'DOWN'} (${m.wan.brokers.join(',')})`,
          `${m.cluster.up ? 'up' : 'DOWN'} (${m.cluster.brokers.join(',')})`,
          m.backlog === null ? '?' : `${m.backlog.exact ? '' : '<= '}${m.backlog.records}`,
          m.flows.join('; '),
        ]),
      ),
    );
  }
  for (const d of s.decisions.slice(-5)) out.push('', `adaptive: ${ago(d.at, now)} ${d.chain}: ${d.action === 'none' ? 'no change' : `${d.action} on ${d.node}`}: ${d.reason}${d.outcome ? `: ${d.outcome}` : ''}${d.repeats ? ` (${d.repeats} times in a row)` : ''}`);
  const crashed = s.processes.filter((p) => p.lastExit && p.restarts > 0);
  for (const p of crashed) out.push('', `${p.id}: last exit ${ago(p.lastExit!.at, now)} (code ${p.lastExit!.code}, signal ${p.lastExit!.signal}): ${p.lastExit!.stderr}`);
  return `${out.join('\n')}\n`;
}

/** The migration under way (its phase), else the last one done. */
function migrationLines(s: DeployStatus, now: number): string[] {
  const m = s.migration;
  const last = s.migrations.at(-1);
  if (m && m.phase !== 'done' && m.phase !== 'rolled-back') return [`migration ${m.id}: ${m.operator} ${m.phase} (started ${ago(m.startedAt, now)})${m.detail ? `: ${m.detail}` : ''}`];
  const lines: string[] = [];
  if (m?.phase === 'rolled-back') lines.push(`migration ${m.id}: ${m.operator} rolled back ${ago(m.doneAt ?? m.startedAt, now)}${m.detail ? `: ${m.detail}` : ''}`);
  if (last) lines.push(`migration ${last.id}: ${last.operator} ${last.from.join(',')} -> ${last.to.join(',')} done ${ago(last.at, now)} (warm ${(last.warmMs / 1000).toFixed(1)} s, switched in ${(last.switchMs / 1000).toFixed(1)} s); the plan in force places it there`);
  return lines;
}
