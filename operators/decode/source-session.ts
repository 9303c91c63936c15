// One source's life: grab frames through ffmpeg, number them, and when a camera drops or never answers,
// retry with exponential backoff. Each source has its own session, so one dead camera never stalls another.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrameGrab, GrabExit } from '../media/frame-grabber.js';
import type { GrabSpec } from '../media/grab-args.js';
import type { FrameRecord } from '../streams/records.js';
import { backoffDelay, shouldGiveUp, type BackoffPolicy } from './backoff.js';
import { mintEpoch } from './epoch.js';

export type SourceState = 'connecting' | 'connected' | 'retrying' | 'ended' | 'failed';

export interface SourceStatus {
  state: SourceState;
  /** When the source entered this state, ms since epoch; while a camera is down (retrying, reconnecting), when the
   *  outage began, so status reads "retrying since 12:03:10" rather than since the latest attempt. */
  since: number;
  /** One line for status displays. */
  detail?: string;
  /** Failed attempts in a row (reset by a delivered frame). */
  attempts: number;
  lastError?: string;
  /** While retrying: the delay before the next attempt. */
  retryInMs?: number;
  /** Frames emitted so far; the next frame's seq. */
  frames: number;
  /** Broken images skipped (reported here, never emitted). */
  corruptFrames: number;
}

export interface SessionOptions {
  camera: string;
  spec: GrabSpec;
  backoff: BackoffPolicy;
  /** Live sources (rtsp) must deliver a frame within this long, at start and after every frame. */
  connectTimeoutMs: number;
  /** Stop after this many frames in all; Infinity = until the source ends. */
  maxFrames: number;
  /** 'media': captureTs = grab start + index / fps (file videos); 'arrival': wall clock when the frame arrived. */
  clock: 'arrival' | 'media';
  startGrab: (spec: GrabSpec) => FrameGrab;
  log: (message: string) => void;
}

type Emit = (record: FrameRecord) => Promise<void>;

/**
 * Ctrl-C reaches ffmpeg (it shares the terminal's process group) as it reaches tierflow, and ffmpeg can be gone
 * before the stop has made its way to this session: a grab that fails this close to a stop was stopped.
 */
const STOP_GRACE_MS = 250;

async function stoppedWithin(signal: AbortSignal, ms: number): Promise<boolean> {
  if (signal.aborted) return true;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
  return signal.aborted;
}

export class SourceSession {
  private status: Omit<SourceStatus, 'corruptFrames'> = { state: 'connecting', since: Date.now(), attempts: 0, frames: 0 };
  private corruptInEndedGrabs = 0;
  /** When the current outage began: the first failed attempt after frames flowed (or since start). */
  private outageSince: number | undefined;
  private current: FrameGrab | undefined;
  private readonly stopper = new AbortController();
  private readonly live: boolean;

  /** Part of every frame's identity: this session's frames are (camera, epoch, 0..). */
  readonly epoch = mintEpoch();

  constructor(private readonly opts: SessionOptions) {
    this.live = opts.spec.input.kind === 'rtsp';
  }

  state(): SourceStatus {
    return { ...this.status, corruptFrames: this.corruptInEndedGrabs + (this.current?.corrupt() ?? 0) };
  }

  /** ffmpeg's pid while a grab runs. */
  pid(): number | undefined {
    return this.current?.pid();
  }

  /** Ends the session: kills ffmpeg and makes run() return. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.current?.stop();
  }

  async run(emit: Emit, signal: AbortSignal): Promise<void> {
    const done = AbortSignal.any([signal, this.stopper.signal]);
    const onAbort = () => void this.current?.stop();
    done.addEventListener('abort', onAbort);
    try {
      await this.loop(emit, done);
    } finally {
      done.removeEventListener('abort', onAbort);
      await this.current?.stop();
    }
  }

  private async loop(emit: Emit, done: AbortSignal): Promise<void> {
    const { opts } = this;
    while (!done.aborted) {
      this.enter('connecting', this.status.attempts > 0 ? `attempt ${this.status.attempts + 1}` : undefined);
      const before = this.status.frames;
      const { exit, timedOut } = await this.pump(emit, done);
      const delivered = this.status.frames - before;

      if (done.aborted || this.status.frames >= opts.maxFrames) return this.enter('ended');
      if (exit.ok && !this.live) return this.enter('ended', 'end of input');
      if (!exit.ok && (await stoppedWithin(done, STOP_GRACE_MS))) return this.enter('ended');

      const error = timedOut ? `no frame within ${opts.connectTimeoutMs} ms` : (exit.error ?? 'stream ended');
      if (delivered > 0) this.status.attempts = 0;
      this.outageSince ??= Date.now();
      this.status.attempts++;
      this.status.lastError = error;
      // A file or image that fails will fail again: only cameras are retried.
      if (!this.live) {
        opts.log(`source ${opts.camera}: failed: ${error}`);
        return this.enter('failed', error);
      }
      if (shouldGiveUp(this.status.attempts, opts.backoff)) {
        opts.log(`source ${opts.camera}: giving up after ${this.status.attempts} attempts: ${error}`);
        return this.enter('failed', `gave up after ${this.status.attempts} attempts: ${error}`);
      }
      const delay = backoffDelay(this.status.attempts, opts.backoff);
      this.enter('retrying', `attempt ${this.status.attempts} failed, retry in ${delay} ms: ${error}`);
      this.status.retryInMs = delay;
      opts.log(`source ${opts.camera}: ${this.status.detail}`);
      try {
        await sleep(delay, undefined, { signal: done });
      } catch {
        return this.enter('ended');
      }
    }
    this.enter('ended');
  }

  /** Runs one grab to its end; a watchdog ends it when a live source goes silent. */
  private async pump(emit: Emit, done: AbortSignal): Promise<{ exit: GrabExit; timedOut: boolean }> {
    const { opts } = this;
    const grab = opts.startGrab(opts.spec);
    this.current = grab;
    if (done.aborted) void grab.stop();
    const startedAt = Date.now();
    let lastProgress = startedAt;
    let inEmit = false;
    let timedOut = false;
    let endedByInput = false;
    // A consumer applying backpressure is not a silent camera: only time outside emit() counts.
    const watchdog = this.live
      ? setInterval(() => {
          if (!inEmit && Date.now() - lastProgress > opts.connectTimeoutMs) {
            timedOut = true;
            void grab.stop();
          }
        }, Math.min(250, opts.connectTimeoutMs / 4))
      : undefined;
    try {
      for await (const frame of grab.frames()) {
        if (this.status.state !== 'connected') {
          this.status.attempts = 0; // a camera that delivers is healthy again
          this.outageSince = undefined;
          this.enter('connected');
        }
        const captureTs = opts.clock === 'media' ? startedAt + (frame.index * 1000) / opts.spec.fps : frame.arrivedAt;
        const record: FrameRecord = {
          camera: opts.camera,
          epoch: this.epoch,
          seq: this.status.frames++,
          captureTs: Math.round(captureTs),
          width: opts.spec.width,
          height: opts.spec.height,
          format: 'jpeg',
          data: frame.jpeg,
        };
        inEmit = true;
        try {
          await emit(record);
        } finally {
          inEmit = false;
          lastProgress = Date.now();
        }
        if (this.status.frames >= opts.maxFrames || done.aborted) break;
      }
      endedByInput = !timedOut && !done.aborted && this.status.frames < opts.maxFrames;
    } catch (err) {
      if (!done.aborted && !timedOut) throw err;
    } finally {
      clearInterval(watchdog);
    }
    // ffmpeg closed its output by itself: let it exit with its own status rather than signalling it.
    const exit = endedByInput ? await grab.exited : await grab.stop();
    this.corruptInEndedGrabs += grab.corrupt();
    this.current = undefined;
    return { exit, timedOut };
  }

  private enter(state: SourceState, detail?: string): void {
    const { attempts, lastError, frames } = this.status;
    const down = (state === 'retrying' || state === 'connecting') && this.outageSince !== undefined;
    this.status = { state, since: down ? this.outageSince! : Date.now(), attempts, frames, ...(lastError ? { lastError } : {}), ...(detail ? { detail } : {}) };
  }
}
