// The adaptive controller of a local deploy (`deploy --adaptive`), run by the supervisor: the seed article's "if
// the phone is busy, hand the task to another tier". Every few seconds it reads each chain's consumer lag and the
// frames its operators dropped to stay fresh. A chain over its bound for `forMs` gets one more replica on the nearest
// node further from the source that the policies, the node's arch and its capacity allow (a live migration:
// warm standby, switch at committed offsets); once the load has stayed low for `backAfterMs` the replica goes again.
// Every decision is logged with its reason and kept for status.
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { Chain, Plan } from '../../plan/types.js';
import type { NodeSpec } from '../../topology/schema.js';
import type { OperatorSnapshot } from '../../runtime/metrics.js';
import { compileTopology } from '../../cli/compile.js';
import type { CliInvocation } from './launcher.js';
import { chainLag, fetchText, lagByChain } from './status.js';
import type { AdaptivePolicy, ControllerDecision, DeployPaths, DesiredState, WorkerState } from './state.js';

export const DEFAULT_ADAPTIVE: AdaptivePolicy = { maxLag: 30, maxDropsPerSec: 1, forMs: 5_000, backAfterMs: 30_000, intervalMs: 1_000 };
const KEEP_DECISIONS = 20;

export interface ControllerHost {
  paths: DeployPaths;
  cli: CliInvocation;
  log: (line: string) => void;
  plan(): Plan | null;
  desired(): DesiredState;
  workers(): WorkerState[];
  /** A migration is under way (the controller starts none then). */
  busy(): boolean;
  saved(decisions: ControllerDecision[]): void;
}

/** What the controller tracks per consumer group (a chain and the replicas it gained). */
interface GroupLoad {
  drops: number;
  at: number;
  overSince: number | null;
  underSince: number | null;
  /** Nodes tried and refused since the load last fell. */
  refused: Set<string>;
}

export class AdaptiveController {
  readonly decisions: ControllerDecision[] = [];
  private readonly groups = new Map<string, GroupLoad>();
  private nodes: NodeSpec[] = [];
  private timer: NodeJS.Timeout | null = null;
  private acting = false;
  private stopped = false;

  constructor(
    private readonly host: ControllerHost,
    private readonly policy: AdaptivePolicy,
  ) {}

  async start(): Promise<void> {
    const desired = this.host.desired();
    this.nodes = (await compileTopology(desired.file)).valid.topology.nodes;
    if (this.stopped) return;
    this.host.log(`adaptive: on (lag > ${this.policy.maxLag} records or > ${this.policy.maxDropsPerSec} dropped frames/s for ${this.policy.forMs / 1000} s adds a replica further out; back after ${this.policy.backAfterMs / 1000} s under)`);
    this.timer = setInterval(() => {
      if (this.acting) return;
      this.acting = true;
      this.tick()
        .catch((e: unknown) => this.host.log(`adaptive: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => (this.acting = false));
    }, this.policy.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    const plan = this.host.plan();
    if (!plan || this.host.busy()) return;
    const ready = this.host.workers().filter((w) => w.phase === 'ready' && w.status && w.metrics && !w.standby);
    const probes = await Promise.all(
      ready.map(async (w) => ({
        node: w.node,
        operators: (JSON.parse((await fetchText(w.status!)) ?? '{}') as { operators?: OperatorSnapshot[] }).operators ?? [],
        lag: lagByChain((await fetchText(w.metrics!)) ?? ''),
      })),
    );
    const now = Date.now();
    const byGroup = new Map<string, Chain[]>();
    for (const c of plan.chains) if (c.consumerGroup) byGroup.set(c.consumerGroup, [...(byGroup.get(c.consumerGroup) ?? []), c]);
    for (const [group, chains] of byGroup) {
      const members = chains[0]!.operators;
      const lag = chains.reduce((n, c) => Math.max(n, chainLag(probes, c.id)), 0);
      const drops = probes.reduce((n, p) => n + p.operators.filter((o) => members.includes(o.operator)).reduce((k, o) => k + o.dropped, 0), 0);
      const g = this.groups.get(group) ?? { drops, at: now, overSince: null, underSince: null, refused: new Set<string>() };
      this.groups.set(group, g);
      // A counter that went down belongs to a worker that was replaced: start counting again.
      const rate = drops >= g.drops && now > g.at ? ((drops - g.drops) * 1000) / (now - g.at) : 0;
      Object.assign(g, { drops, at: now });
      const over = lag > this.policy.maxLag || rate > this.policy.maxDropsPerSec;
      const under = lag <= this.policy.maxLag / 4 && rate === 0;
      g.overSince = over ? (g.overSince ?? now) : null;
      g.underSince = under ? (g.underSince ?? now) : null;
      if (under) g.refused.clear(); // a node that refused is asked again once the load has fallen, not at every dip
      const why = `lag ${lag} records, ${rate.toFixed(1)} dropped frames/s`;
      const head = members[0]!;
      const added = this.host.desired().offload?.[head] ?? [];
      if (g.overSince !== null && now - g.overSince >= this.policy.forMs) {
        g.overSince = now; // one decision per period over the bound
        await this.offload(plan, chains, why);
        return; // one change at a time: the next tick sees its effect
      }
      if (g.underSince !== null && added.length > 0 && now - g.underSince >= this.policy.backAfterMs) {
        g.underSince = now;
        await this.act({ at: now, chain: chains[0]!.id, action: 'remove-replica', node: added.at(-1)!, reason: `under its bound for ${this.policy.backAfterMs / 1000} s (${why})` }, head);
        return;
      }
    }
  }

  /** One more replica on the nearest node further out that takes it; each refusal is a decision too. */
  private async offload(plan: Plan, chains: Chain[], why: string): Promise<void> {
    const head = chains[0]!.operators[0]!;
    const g = this.groups.get(chains[0]!.consumerGroup!)!;
    const consumers = chains.reduce((n, c) => n + c.replicas, 0);
    const partitions = plan.topics.find((t) => t.name === chains[0]!.inputTopic)?.partitions ?? 0;
    const reason = `over its bound for ${this.policy.forMs / 1000} s (${why})`;
    if (partitions <= consumers) {
      this.record({ at: Date.now(), chain: chains[0]!.id, action: 'none', reason: `${reason}; but ${chains[0]!.inputTopic} has ${partitions} partition(s) for ${consumers} consumer(s): another replica would get none` });
      return;
    }
    const tierOf = (tier: string) => plan.tiers.indexOf(tier);
    const innermost = Math.min(...chains.map((c) => tierOf(c.tier)));
    const candidates = this.nodes
      .filter((n) => tierOf(n.tier) >= innermost && !chains.some((c) => c.node === n.name) && !g.refused.has(n.name))
      .sort((a, b) => tierOf(a.tier) - tierOf(b.tier) || a.name.localeCompare(b.name));
    for (const node of candidates) {
      const outcome = await this.act({ at: Date.now(), chain: chains[0]!.id, action: 'add-replica', node: node.name, reason }, head);
      if (outcome !== 'refused') return;
      g.refused.add(node.name);
    }
    if (candidates.length === 0) this.record({ at: Date.now(), chain: chains[0]!.id, action: 'none', reason: `${reason}; no node further out may host it` });
  }

  /** Runs `tierflow migrate` for the decision (the same path a user's migrate takes) and records how it went. */
  private async act(d: ControllerDecision, operator: string): Promise<'done' | 'refused' | 'failed'> {
    const flag = d.action === 'add-replica' ? '--add-replica-on' : '--remove-replica-from';
    this.host.log(`adaptive: ${d.chain}: ${d.action} on ${d.node}: ${d.reason}`);
    const args = [...this.host.cli.args, 'migrate', operator, flag, d.node!, '--topology', this.host.desired().topology, '--state-dir', dirname(this.host.paths.dir)];
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(this.host.cli.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    const last = stderr.trim().split('\n').at(-1) ?? '';
    const outcome = code === 0 ? 'done' : code === 2 ? 'refused' : 'failed';
    this.record({ ...d, outcome: outcome === 'done' ? 'done' : `${outcome}: ${last.replace(/^migrate: /, '')}` });
    return outcome;
  }

  private record(d: ControllerDecision): void {
    if (d.action === 'none') this.host.log(`adaptive: ${d.chain}: no change: ${d.reason}`);
    else this.host.log(`adaptive: ${d.chain}: ${d.action} on ${d.node}: ${d.outcome}`);
    // The same 'no change' again (figures aside) updates the last one, so it does not crowd out what was done.
    const last = this.decisions.at(-1);
    const why = (x: ControllerDecision) => x.reason.slice(Math.max(0, x.reason.indexOf(';')));
    if (d.action === 'none' && last?.action === 'none' && last.chain === d.chain && why(last) === why(d)) {
      Object.assign(last, { at: d.at, reason: d.reason, repeats: (last.repeats ?? 1) + 1 });
      this.host.saved(this.decisions);
      return;
    }
    this.decisions.push(d);
    if (this.decisions.length > KEEP_DECISIONS) this.decisions.shift();
    this.host.saved(this.decisions);
  }
}
