// The ffmpeg command line of one frame grab, as a pure function of what to grab: unit tests read it, and
// frame-grabber.ts hands it to fluent-ffmpeg unchanged. Output is always MJPEG on stdout (image2pipe) at the
// target fps and exactly the target size (letterboxed, so faces keep their aspect ratio).
import type { MediaInput } from './media-input.js';

export interface PanSpec {
  /** Size of the image being panned over. */
  imageWidth: number;
  imageHeight: number;
  /** Pixels per second (in image pixels) the window moves along each axis; it bounces at the edges. */
  speed: number;
}

export interface GrabSpec {
  input: MediaInput;
  fps: number;
  width: number;
  height: number;
  /** 10..100, like the usual JPEG quality scale. */
  jpegQuality: number;
  /** RTSP socket timeout, so a stalled camera makes ffmpeg exit instead of hanging. */
  ioTimeoutMs: number;
  /** Read files and images at their native rate (-re) instead of as fast as the consumer takes frames. */
  realtime: boolean;
  /** Required for image inputs. */
  pan?: PanSpec;
}

export interface GrabArgs {
  input: string;
  inputOptions: string[];
  outputOptions: string[];
}

/** The window panned over an image: the largest one of the output's aspect ratio, shrunk so it has room to move. */
export const PAN_WINDOW_SCALE = 0.6;

function even(n: number): number {
  return Math.max(2, 2 * Math.floor(n / 2));
}

/** ffmpeg's mjpeg qscale runs 2 (best) .. 31 (worst). */
export function qscaleFor(jpegQuality: number): number {
  const q = Math.min(100, Math.max(10, jpegQuality));
  return Math.round(2 + ((100 - q) / 90) * 29);
}

/** A position that moves at `speed` px/s over [0, range] and bounces: a triangle wave in ffmpeg's expression language. */
function bounce(range: number, speed: number): string {
  if (range <= 0 || speed <= 0) return '0';
  return `${range}-abs(mod(${speed}*t,${2 * range})-${range})`;
}

/** The crop+scale filter of a virtual camera over a still image. */
export function panFilter(pan: PanSpec, width: number, height: number): string {
  const aspect = width / height;
  const fitW = Math.min(pan.imageWidth, pan.imageHeight * aspect);
  const cropW = even(fitW * PAN_WINDOW_SCALE);
  const cropH = even((fitW / aspect) * PAN_WINDOW_SCALE);
  const x = bounce(pan.imageWidth - cropW, pan.speed);
  const y = bounce(pan.imageHeight - cropH, pan.speed);
  return `crop=w=${cropW}:h=${cropH}:x='${x}':y='${y}',scale=${width}:${height}`;
}

function fitFilter(fps: number, width: number, height: number): string {
  return (
    `fps=${fps},scale=${width}:${height}:force_original_aspect_ratio=decrease,` +
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`
  );
}

/** `rtspTimeoutOption` comes from the binary (FfmpegBinary): ffmpeg 4 names the socket timeout -stimeout. */
export function grabArgs(spec: GrabSpec, rtspTimeoutOption: '-timeout' | '-stimeout' = '-timeout'): GrabArgs {
  const quiet = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  const { input } = spec;
  let inputOptions: string[];
  let filter: string;
  let source: string;

  switch (input.kind) {
    case 'rtsp':
      source = input.url;
      inputOptions = [
        ...quiet,
        '-rtsp_transport', input.transport,
        rtspTimeoutOption, String(Math.round(spec.ioTimeoutMs * 1000)),
        // Bounded probing; -fflags nobuffer measured slower to the first frame here (it waits on the fps filter).
        '-analyzeduration', '1000000',
      ];
      filter = fitFilter(spec.fps, spec.width, spec.height);
      break;
    case 'video':
      source = input.path;
      inputOptions = [...quiet, ...(spec.realtime ? ['-re'] : []), ...(input.loop ? ['-stream_loop', '-1'] : [])];
      filter = fitFilter(spec.fps, spec.width, spec.height);
      break;
    case 'image':
      if (!spec.pan) throw new Error('grabArgs: an image input needs a pan spec');
      source = input.path;
      // -loop 1 repeats the still at the target rate; crop's t then advances 1/fps per frame.
      inputOptions = [...quiet, ...(spec.realtime ? ['-re'] : []), '-loop', '1', '-framerate', String(spec.fps)];
      filter = panFilter(spec.pan, spec.width, spec.height);
      break;
  }

  return {
    input: source,
    inputOptions,
    outputOptions: ['-an', '-sn', '-vf', `${filter},format=yuvj420p`, '-c:v', 'mjpeg', '-q:v', String(qscaleFor(spec.jpegQuality)), '-f', 'image2pipe'],
  };
}
