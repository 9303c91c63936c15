// A real RTSP server for tests: infra/rtsp's lalserver (built on first use) on a free loopback port, in a
// temp folder of its own, plus ffmpeg publishers that loop a video as camera paths. stopAll() ends them all.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ffmpegPath } from '../../operators/media/ffmpeg-binary.js';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const serverScript = join(repoRoot, 'infra', 'rtsp', 'server.sh');
const started = new Set<ChildProcess>();
const serverDirs = new Set<string>();

export interface RtspServer {
  port: number;
  url(path: string): string;
  stop(): Promise<void>;
}

export interface Publisher {
  path: string;
  url: string;
  pid(): number | undefined;
  /** Kills the publishing ffmpeg, as a camera that drops off the network. */
  stop(): Promise<void>;
  /** Publishes again and waits until the stream can be read. */
  restart(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function stopChild(child: ChildProcess): Promise<void> {
  started.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`rtsp helper: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** Answers the RTSP DESCRIBE status code for a URL (200 once a publisher is on the path), 0 if unreachable. */
export function describeStatus(url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port) || 554 });
    let reply = '';
    const finish = (status: number) => {
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(2000, () => finish(0));
    socket.on('error', () => finish(0));
    socket.on('connect', () => socket.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`));
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1');
      const m = /^RTSP\/1\.0 (\d{3})/.exec(reply);
      if (m) finish(Number(m[1]));
    });
  });
}

/** Builds the server if needed (minutes the first time), starts it on a free port, waits until it listens. */
export async function startRtspServer(): Promise<RtspServer> {
  const { stdout } = await run('bash', [serverScript, 'install'], { timeout: 10 * 60_000 });
  const bin = stdout.trim().split('\n').at(-1)!;
  const port = await freePort();
  const { stdout: config } = await run('bash', [serverScript, 'config'], { env: { ...process.env, RTSP_PORT: String(port) } });
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-rtsp-'));
  serverDirs.add(dir);
  writeFileSync(join(dir, 'lalserver.json'), config);
  const child = spawn(bin, ['-c', join(dir, 'lalserver.json'), '-p', dir], { stdio: 'ignore' });
  started.add(child);
  const url = (path: string) => `rtsp://127.0.0.1:${port}/${path}`;
  await until('the RTSP server to listen', () => accepts(port), 15_000);
  return {
    port,
    url,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      serverDirs.delete(dir);
    },
  };
}

/** Publishes `file` on `path`, looping forever at its native rate, the way an IP camera streams. */
export async function publishFile(server: RtspServer, file: string, path: string): Promise<Publisher> {
  const url = server.url(path);
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ['-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', file, '-an', '-c:v', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', url];
    child = spawn(ffmpegPath(), args, { stdio: 'ignore' });
    started.add(child);
    await until(`a stream on ${url}`, async () => (await describeStatus(url)) === 200, 15_000);
  };
  await start();
  return {
    path,
    url,
    pid: () => child?.pid,
    stop: async () => {
      if (child) await stopChild(child);
    },
    restart: start,
  };
}

/** Publishes the same file as `count` cameras: cam1, cam2, ... */
export async function publishCameras(server: RtspServer, file: string, count: number, prefix = 'cam'): Promise<Publisher[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => publishFile(server, file, `${prefix}${i + 1}`)));
}

/** Stops every server and publisher this helper started. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map(stopChild));
  for (const dir of serverDirs) rmSync(dir, { recursive: true, force: true });
  serverDirs.clear();
}

// A test that dies before its cleanup still must not leave servers or publishers behind.
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});
