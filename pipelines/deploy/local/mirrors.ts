// The MirrorMaker 2 processes of a local deploy with sites: the supervisor starts one per site that topics are
// mirrored into (mirror.ts says which, where and with what configuration), restarts it with the workers' backoff when it exits, and stops it on
// undeploy. The jars are Apache Kafka's own (connect-mirror, the broker's version): infra/kafka/cache/lib, which
// `infra/kafka/broker.sh install` fills from Maven Central, or TIERFLOW_MM2_CLASSPATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';
import { TierflowError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import { MIRROR_MAKER_CLASS, mirrorProcesses, type MirrorProcess } from '../mirror.js';
import { crashStreak, restartDelayMs } from './backoff.js';
import type { DeployPaths } from './state.js';

export interface MirrorState {
  site: string;
  state: 'starting' | 'running' | 'restarting' | 'stopped';
  pid: number | null;
  restarts: number;
  startedAt: number | null;
  /** Topics it carries, as `from->to: topic, ...`. */
  flows: string[];
  /** The clusters it consumes from, across the WAN, as it reaches them. */
  remote: string[];
  log: string;
  lastExit?: string;
}

/** The classpath MirrorMaker runs from; a refusal naming what to do when its jars or java are missing. */
export function mirrorClasspath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['TIERFLOW_MM2_CLASSPATH'];
  if (given) return given;
  const lib = join(packageRoot() ?? process.cwd(), 'infra', 'kafka', 'cache', 'lib');
  const jars = existsSync(lib) ? readdirSync(lib) : [];
  if (!jars.some((j) => /^connect-mirror-\d.*\.jar$/.test(j))) {
    throw new TierflowError('DEPLOY_STATE', `sites need MirrorMaker 2: no connect-mirror jar in ${lib}; run infra/kafka/broker.sh install (Maven Central) or set TIERFLOW_MM2_CLASSPATH to Kafka's libs/*`, { exitCode: 2 });
  }
  return `${lib}/*`;
}

export function requireJava(): void {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    throw new TierflowError('DEPLOY_STATE', 'sites need MirrorMaker 2, which runs on Java: no `java` on PATH (install a JRE 17+)', { exitCode: 2 });
  }
}

const LOG4J = `rootLogger.level=WARN
rootLogger.appenderRef.out.ref=OUT
appender.out.type=Console
appender.out.name=OUT
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=%d{ISO8601} %p %m (%c{1})%n
logger.mm.name=org.apache.kafka.connect.mirror.MirrorMaker
logger.mm.level=INFO
logger.source.name=org.apache.kafka.connect.mirror.MirrorSourceConnector
logger.source.level=INFO
`;

interface Running {
  proc: MirrorProcess;
  state: MirrorState;
  child: ChildProcess | null;
  streak: number;
  timer: NodeJS.Timeout | null;
  stopping: boolean;
}

export class MirrorSupervisor {
  private readonly running: Running[] = [];

  constructor(
    private readonly paths: DeployPaths,
    plan: Plan,
    private readonly log: (line: string) => void,
    private readonly onChange: () => void,
  ) {
    for (const proc of mirrorProcesses(plan)) {
      const log = join(paths.logs, `mirror-${proc.site}.log`);
      const flows = proc.flows.map((f) => `${f.from}->${f.to}: ${f.topics.join(', ')}`);
      this.running.push({ proc, state: { site: proc.site, state: 'starting', pid: null, restarts: 0, startedAt: null, flows, remote: proc.remote, log }, child: null, streak: 0, timer: null, stopping: false });
    }
  }

  start(): void {
    if (this.running.length === 0) return;
    writeFileSync(join(this.paths.dir, 'mirror-log4j2.properties'), LOG4J);
    for (const r of this.running) this.spawn(r);
  }

  states(): MirrorState[] {
    return this.running.map((r) => ({ ...r.state }));
  }

  private spawn(r: Running): void {
    const props = join(this.paths.dir, `mirror-${r.proc.site}.properties`);
    writeFileSync(props, r.proc.properties);
    const out = openSync(r.state.log, 'a');
    const args = ['-Xmx256m', '-Xms64m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${join(this.paths.dir, 'mirror-log4j2.properties')}`, '-cp', mirrorClasspath(), MIRROR_MAKER_CLASS, props, '--clusters', r.proc.site];
    const child = spawn('java', args, { stdio: ['ignore', out, out] });
    closeSync(out);
    r.child = child;
    Object.assign(r.state, { state: 'starting', pid: child.pid ?? null, startedAt: Date.now() });
    this.log(`mirror ${r.proc.site}: started (pid ${child.pid}): ${r.state.flows.join('; ')}`);
    this.onChange();
    const watch = this.watchStart(r, statSync(r.state.log).size);
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      r.child = null;
      if (r.stopping) {
        Object.assign(r.state, { state: 'stopped', pid: null });
        return;
      }
      r.streak = crashStreak(r.streak, Date.now() - (r.state.startedAt ?? Date.now()));
      const delay = restartDelayMs(r.streak);
      Object.assign(r.state, { state: 'restarting', pid: null, restarts: r.state.restarts + 1, lastExit: signal ? `signal ${signal}` : `exit ${code}` });
      this.log(`mirror ${r.proc.site}: exited (${r.state.lastExit}), restarting in ${delay} ms`);
      this.onChange();
      r.timer = setTimeout(() => this.spawn(r), delay);
    });
  }

  /**
   * `running` once the process has started a source connector for each of its flows (its log says so; MirrorMaker's
   * dedicated mode has no REST endpoint to ask): some 20 s after its start, longer while a source does not answer.
   */
  private watchStart(r: Running, from: number): NodeJS.Timeout {
    let offset = from;
    let started = 0;
    const timer = setInterval(() => {
      try {
        const size = statSync(r.state.log).size;
        if (size <= offset) return;
        const fd = openSync(r.state.log, 'r');
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        started += (buf.toString('utf8').match(/Started MirrorSourceConnector/g) ?? []).length;
      } catch {
        return;
      }
      if (started >= r.proc.flows.length && r.state.state === 'starting') {
        clearInterval(timer);
        r.state.state = 'running';
        this.log(`mirror ${r.proc.site}: running`);
        this.onChange();
      }
    }, 500);
    timer.unref();
    return timer;
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`: MirrorMaker commits its offsets on a graceful stop. */
  async stop(timeoutMs = 15_000): Promise<void> {
    await Promise.all(
      this.running.map(async (r) => {
        r.stopping = true;
        if (r.timer) clearTimeout(r.timer);
        const child = r.child;
        if (!child) {
          r.state.state = 'stopped';
          return;
        }
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
