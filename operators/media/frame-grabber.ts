// One ffmpeg process that turns a source into JPEG frames. It knows nothing of reconnects or records:
// operators/decode supervises grabs. Frames are pulled (async iteration), so a slow consumer pauses the
// pipe and ffmpeg blocks instead of buffering without bound.
import type { ChildProcess } from 'node:child_process';
import type { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { ffmpegBinary, type FfmpegBinary } from './ffmpeg-binary.js';
import { grabArgs, type GrabSpec } from './grab-args.js';
import { MjpegSplitter } from './mjpeg-splitter.js';

export interface GrabbedFrame {
  /** One complete JPEG image. */
  jpeg: Buffer;
  /** 0-based index within this grab; with a fixed output fps, index / fps is the frame's media time. */
  index: number;
  /** Wall clock when the frame's last byte arrived, ms since epoch. */
  arrivedAt: number;
}

export interface GrabExit {
  /** ffmpeg ended by itself with status 0 (end of file, or -t reached). */
  ok: boolean;
  /** stop() ended it. */
  stopped: boolean;
  /** The last thing ffmpeg said, for state displays, when it failed. */
  error?: string;
}

export interface FrameGrab {
  frames(): AsyncIterable<GrabbedFrame>;
  /** Settles once ffmpeg has exited and its pipes are closed. */
  readonly exited: Promise<GrabExit>;
  /** ffmpeg's pid while it runs. */
  pid(): number | undefined;
  /** Broken images skipped so far (the MJPEG splitter resynchronised past them). */
  corrupt(): number;
  /** Ends ffmpeg (SIGTERM, then SIGKILL after graceMs) and waits for it to exit. */
  stop(graceMs?: number): Promise<GrabExit>;
}

/** The most useful line of ffmpeg's error output: the last non-empty one, without the `[demuxer @ 0x..]` prefix. */
export function summariseFfmpegError(message: string, stderr: string | null | undefined): string {
  const lines = (stderr ?? '')
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').trim())
    .filter((l) => l.length > 0 && !l.startsWith('Conversion failed'));
  return lines.at(-1) ?? message;
}

export function startGrab(spec: GrabSpec, binary: FfmpegBinary = ffmpegBinary()): FrameGrab {
  const args = grabArgs(spec, spec.input.kind === 'rtsp' ? binary.rtspTimeoutOption : undefined);
  const splitter = new MjpegSplitter();
  const command = ffmpeg({ stdoutLines: 20 }) // ring size of kept stderr lines (0 would keep all)
    .setFfmpegPath(binary.path)
    .input(args.input)
    .inputOptions(args.inputOptions)
    .outputOptions(args.outputOptions);
  const output = command.pipe() as PassThrough;

  let proc: ChildProcess | undefined;
  let stopping = false;
  let killTimer: NodeJS.Timeout | undefined;

  // fluent-ffmpeg reports an abandoned output pipe before ffmpeg has gone, so the process's own exit is awaited too.
  let procGone: Promise<void> | undefined;
  const outcome = new Promise<GrabExit>((resolve) => {
    command.on('start', () => {
      proc = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      const child = proc;
      if (child && child.exitCode === null && child.signalCode === null) {
        procGone = new Promise((gone) => child.once('exit', () => gone()));
      }
      if (stopping) proc?.kill('SIGKILL'); // stop() came before the spawn
    });
    command.on('end', () => resolve({ ok: true, stopped: stopping }));
    command.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      resolve({ ok: false, stopped: stopping, error: summariseFfmpegError(err.message, stderr) });
    });
  });
  const exited = outcome.then(async (result) => {
    await procGone;
    clearTimeout(killTimer);
    proc = undefined;
    return result;
  });
  // The iterator may be abandoned; a pipe error must not become an unhandled 'error' event.
  output.on('error', () => undefined);

  async function* frames(): AsyncGenerator<GrabbedFrame> {
    let index = 0;
    for await (const chunk of output as AsyncIterable<Buffer>) {
      for (const jpeg of splitter.push(chunk)) yield { jpeg, index: index++, arrivedAt: Date.now() };
    }
  }

  async function stop(graceMs = 2000): Promise<GrabExit> {
    if (!stopping) {
      stopping = true;
      if (proc) {
        proc.kill('SIGTERM');
        killTimer = setTimeout(() => proc?.kill('SIGKILL'), graceMs);
        killTimer.unref();
      }
      output.destroy();
    }
    return exited;
  }

  return { frames, exited, pid: () => proc?.pid, corrupt: () => splitter.dropped, stop };
}
