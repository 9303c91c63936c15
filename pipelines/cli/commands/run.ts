// `tierflow run <file>`: the whole topology in this process, on the embedded backbone unless --brokers (or the
// topology's backbone section) names Kafka. `tierflow demo` is the same run, with the demo gallery enrolled first.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { compileTopology } from '../compile.js';
import { runPlan, type RunSummary } from '../../runtime/run.js';
import { avroRecordCodec } from '../../runtime/codec.js';
import { openBackbone } from '../../backbone/open.js';
import { enrollDemoGallery } from '../../vision/demo-gallery.js';
import { TierflowError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';

interface RunFlags {
  brokers?: string;
  json?: boolean;
  untilSourcesEnd?: boolean;
  dataDir: string;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run every node of a topology in this process (embedded backbone by default)')
    .argument('<file>', 'topology YAML file')
    .option('--brokers <list>', 'run on Kafka at these comma-separated host:port brokers instead')
    .option('--json', 'print sink records as JSON lines and a JSON summary')
    .option('--until-sources-end', 'exit once file sources have ended and everything has drained')
    .option('--data-dir <dir>', 'folder for operator state', '.tierflow')
    .action((file: string, flags: RunFlags) => runCommand(file, flags));
  program
    .command('demo')
    .description('the face-recognition demo: enrol the people in the demo photos, then run the topology until its cameras end')
    .argument('[file]', 'topology YAML file', 'topology.yaml')
    .option('--json', 'print sink records as JSON lines and a JSON summary')
    .option('--data-dir <dir>', 'folder for operator state', '.tierflow')
    .action(async (file: string, flags: RunFlags) => {
      const { plan } = compileTopology(file);
      await ensureDemoGalleries(plan, file);
      await runCommand(file, { ...flags, untilSourcesEnd: true });
    });
}

async function ensureDemoGalleries(plan: Plan, file: string): Promise<void> {
  for (const p of plan.placements.filter((x) => x.uses.startsWith('match@'))) {
    const gallery = resolve(dirname(file), String(plan.configs[p.operator]?.['gallery'] ?? 'gallery.json'));
    if (existsSync(gallery)) continue;
    say(`demo: enrolling the people in the demo photos into ${gallery} ...`);
    const g = await enrollDemoGallery(plan.sources, gallery, dirname(resolve(file)));
    say(`demo: ${g.identities.length} identities enrolled`);
  }
}

async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const { plan } = compileTopology(file);
  const brokers = flags.brokers?.split(',').map((b) => b.trim()).filter(Boolean);
  if (flags.brokers !== undefined && (!brokers || brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b)))) {
    throw new TierflowError('BAD_ARGUMENT', `--brokers: expected host:port[,host:port...], got '${flags.brokers}'`, { exitCode: 2 });
  }
  const stop = new AbortController();
  const onSignal = () => {
    say('stopping: draining and committing (press Ctrl-C again to abort)');
    process.off('SIGINT', onSignal);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const backbone = brokers ? { ...(plan.backbone.type === 'kafka' ? plan.backbone : {}), type: 'kafka' as const, brokers } : plan.backbone;
  say(`tierflow: running ${plan.topology} (${plan.chains.length} chains on ${new Set(plan.chains.map((c) => c.node)).size} nodes) on the ${backbone.type} backbone`);
  const summary = await runPlan(plan, {
    backbone,
    json: flags.json ?? false,
    untilSourcesEnd: flags.untilSourcesEnd ?? false,
    dataDir: resolve(flags.dataDir),
    out: (line) => process.stdout.write(`${line}\n`),
    log: say,
    openBackbone,
    codec: avroRecordCodec(),
    signal: stop.signal,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : renderSummary(summary));
}

export function renderSummary(s: RunSummary): string {
  const lines = [
    '',
    `summary: ${s.frames} frames in ${s.seconds} s (${s.fps} fps), end-to-end latency p50 ${s.e2eLatencyMs.p50} ms, p99 ${s.e2eLatencyMs.p99} ms, ${s.dropped} frames dropped, ${s.events} events`,
  ];
  const cams = Object.keys(s.identities).sort();
  if (cams.length === 0) lines.push('  no identities recognised');
  for (const cam of cams) lines.push(`  ${cam}: ${s.identities[cam]!.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
