// tierflow migrate on a running local deploy, on the real broker (with per-node users and ACLs, as the fault suite):
// a refused move changes nothing; a move whose standbys are not warm in time rolls back; then two live moves while
// the cameras run — match (stateful, and its fused chain splits: a new topic) from the gateway to a fog node, and
// results (stateless) from the cloud to fog, then a replica of aggregate added on fog and taken away. Every frame the cameras sent comes out as exactly one result, and every
// sighting event its results imply exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FaultDeploy, MatchCollector } from '../helpers/faults.js';
import { tierflow, until } from '../helpers/deploy.js';
import { frameIds, frameTally } from '../helpers/migration.js';
import { alive, deployPaths, type SupervisorState } from '../../pipelines/deploy/local/state.js';
import type { MigrateResult } from '../../pipelines/deploy/local/migrate.js';

const PLAYS = 8;
let d: FaultDeploy;
let collector: MatchCollector;
const sd = () => ['--state-dir', d.stateDir];
const nodeOf = async (operator: string) => (await d.status()).operators.filter((o) => o.operator === operator).map((o) => o.node);
const supervisorState = () => JSON.parse(readFileSync(deployPaths(d.stateDir, d.name).state, 'utf8')) as SupervisorState;
const desiredText = () => readFileSync(deployPaths(d.stateDir, d.name).desired, 'utf8');

before(async () => {
  // The clip at its own pace, 8 plays: the cameras run ~80 s, through every move. A frame a camera drops (it does
  // while the pipeline is busy, by design) never reaches the frames topic, so it is no result to lose.
  d = await FaultDeploy.create('migrate', { cameras: 2, fps: 5, maxLatencyMs: 300_000, plays: PLAYS, realtime: true, fog: true });
  await d.deploy();
  collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
  await until('first results', async () => collector.records >= 20, 120_000);
});

after(async () => {
  await collector?.close();
  await d?.undeploy();
});

test('a move the policies forbid: one line naming operator, data class and tier, exit 2, nothing changed', { timeout: 60_000 }, async () => {
  const desired = desiredText();
  const pids = supervisorState().workers.map((w) => w.pid);
  const r = await tierflow(['migrate', 'embed', '--to', 'fog-1', ...sd()]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /embed to fog-1 refused: .*crop data at or inside tier edge; nothing changed/);
  const unknown = await tierflow(['migrate', 'match', '--to', 'nowhere', ...sd()]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown node nowhere/);
  assert.equal(desiredText(), desired, 'deploy state unchanged');
  assert.deepEqual(supervisorState().workers.map((w) => w.pid), pids, 'no worker started or stopped');
});

test('standbys not warm in time: rolled back with one line, the old placement runs on', { timeout: 90_000 }, async () => {
  const before = collector.records;
  const r = await tierflow(['migrate', 'match', '--to', 'fog-1', '--timeout', '0.5', ...sd()]);
  assert.equal(r.code, 1, r.stderr);
  const errors = r.stderr.trim().split('\n').filter((l) => !l.startsWith('migrate: plan') && !l.startsWith('migrate: warming'));
  assert.equal(errors.length, 1, r.stderr);
  assert.match(errors[0]!, /match to fog-1 rolled back to the old placement: the standbys were not warm within 0.5 s/);
  assert.deepEqual(await nodeOf('match'), ['gateway']);
  const s = supervisorState();
  assert.equal(s.migration?.phase, 'rolled-back');
  assert.ok(s.workers.every((w) => !w.standby), 'no standby left');
  assert.ok(!s.workers.some((w) => w.node === 'fog-1'), 'no fog worker');
  await until('results still flowing', async () => collector.records > before + 10, 60_000);
});

test('live moves: match gateway -> fog-1 (stateful, chain split), results cloud-1 -> fog-1 (stateless), a replica of aggregate added on fog-1 and taken away; 0 lost, 0 duplicated', { timeout: 360_000 }, async () => {
  const oldGateway = d.worker('gateway')!.pid!;
  const r1 = await tierflow(['migrate', 'match', '--to', 'fog-1', '--json', ...sd()], { timeoutMs: 200_000 });
  assert.equal(r1.code, 0, r1.stderr);
  const m1 = JSON.parse(r1.stdout) as MigrateResult;
  assert.deepEqual([m1.from, m1.to], [['gateway'], ['fog-1']]);
  assert.deepEqual(m1.replaced, ['fog-1', 'gateway']);
  assert.deepEqual(m1.newTopics, [d.topic('embed', 'embeddings')]);
  assert.deepEqual(await nodeOf('match'), ['fog-1']);
  assert.ok(!alive(oldGateway), 'the old gateway worker is gone');
  const restoredWarm = d.logOf('fog-1.m' + m1.id);
  assert.match(restoredWarm, /warm in \d+ ms/);
  assert.match(restoredWarm, /state restored: .* \(warm standby: \d+ offsets caught up\)/);

  const r2 = await tierflow(['migrate', 'results', '--to', 'tier:fog', ...sd()], { timeoutMs: 200_000 });
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /^migrated results: cloud-1 -> fog-1 \(warm in [\d.]+ s, switched in [\d.]+ s\)/);
  assert.deepEqual(await nodeOf('results'), ['fog-1']);
  assert.deepEqual(await nodeOf('aggregate'), ['cloud-1']);
  const st = await tierflow(['status', d.name, ...sd()]);
  assert.match(st.stdout, /migration \d+: results cloud-1 -> fog-1 done/);
  assert.ok((await d.status()).sources.every((c) => c.state === 'connected'), 'the cameras were running through both moves');

  // One more replica of aggregate (stateful) on fog-1, then taken away again, as `deploy --adaptive` does: cloud-1's
  // worker runs on through both and is held while its group changes members (handover), so none of its records is
  // processed twice.
  const cloud = d.worker('cloud-1')!.pid!;
  const r3 = await tierflow(['migrate', 'aggregate', '--add-replica-on', 'fog-1', '--json', ...sd()], { timeoutMs: 200_000 });
  assert.equal(r3.code, 0, r3.stderr);
  const m3 = JSON.parse(r3.stdout) as MigrateResult;
  assert.deepEqual([m3.from, m3.to, m3.replaced], [['cloud-1'], ['cloud-1', 'fog-1'], ['fog-1']]);
  const added = collector.records;
  await until('results with two aggregate replicas', async () => collector.records > added + 10, 60_000);
  const r4 = await tierflow(['migrate', 'aggregate', '--remove-replica-from', 'fog-1', '--json', ...sd()], { timeoutMs: 200_000 });
  assert.equal(r4.code, 0, r4.stderr);
  const m4 = JSON.parse(r4.stdout) as MigrateResult;
  assert.deepEqual([m4.to, m4.replaced], [['cloud-1'], ['fog-1']]);
  assert.equal(d.worker('cloud-1')!.pid, cloud, 'cloud-1 ran through both');
  // The worker the results move started; its second rebalance follows fog-1's leaving, which may end after migrate.
  const handovers = () => readFileSync(d.worker('cloud-1')!.log, 'utf8').match(/handover: fetching again \(the group rebalanced\)/g)?.length ?? 0;
  await until('cloud-1 held and let go at both changes of its group', async () => handovers() === 2, 30_000);

  await d.waitSourcesEnded(240_000);
  await d.waitDrained(120_000);
  const frames = await frameIds(d.topic('decode', 'frames'));
  await until('a result for every frame', async () => frameTally(frames, collector.matches).lost === 0, 60_000).catch(() => undefined);
  const t = frameTally(frames, collector.matches);
  assert.ok(t.frames >= 2 * 5 * 10 * PLAYS * 0.5, `frames: ${t.frames}`);
  assert.deepEqual({ lost: t.lost, duplicated: t.duplicated }, { lost: 0, duplicated: 0 }, JSON.stringify(t));
  const ev = await collector.eventReport();
  assert.deepEqual({ lost: ev.eventsLost, duplicated: ev.eventsDuplicated }, { lost: 0, duplicated: 0 }, JSON.stringify(ev.events));
});
