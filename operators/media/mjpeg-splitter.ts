// Splits an MJPEG byte stream (ffmpeg's image2pipe) into JPEG images. It walks the JPEG marker structure
// instead of searching for FF D9, because EOI bytes can sit inside APPn segments (EXIF thumbnails); segment
// bodies are skipped by length and entropy-coded data is scanned with indexOf, so the cost is near memcpy.
// A frame that lies inside one chunk is returned as a view of it; only frames spanning chunks are copied once.
// A structurally broken frame is rescanned from just after its SOI, so the frames behind it survive; a frame
// cut inside a header segment can hold the following bytes (up to 64 KB) until the structure breaks.

const SEEK_SOI = 0;
const SEEK_SOI_FF = 1;
const MARKER = 2;
const MARKER_TYPE = 3;
const LEN_HI = 4;
const LEN_LO = 5;
const SKIP = 6;
const ENTROPY = 7;
const ENTROPY_FF = 8;

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;

/** Markers that stand alone, without a length field: RSTn, SOI, EOI, TEM. */
function isStandalone(marker: number): boolean {
  return (marker >= 0xd0 && marker <= 0xd9) || marker === 0x01;
}

export interface MjpegSplitterOptions {
  /** A frame larger than this is garbage: it is dropped and the splitter resynchronises on the next SOI. */
  maxFrameBytes?: number;
}

export class MjpegSplitter {
  private state = SEEK_SOI;
  /** Chunks holding the current frame; the first one starts at `startOffset`. */
  private parts: Buffer[] = [];
  private startOffset = 0;
  private pendingBytes = 0;
  private marker = 0;
  private segmentLength = 0;
  private toSkip = 0;
  private readonly maxFrameBytes: number;
  /** Frames dropped because they were oversized. */
  dropped = 0;

  constructor(opts: MjpegSplitterOptions = {}) {
    this.maxFrameBytes = opts.maxFrameBytes ?? 32 * 1024 * 1024;
  }

  /** Feeds one chunk; returns the JPEG images it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    // A broken frame is rescanned from just after its SOI, so a frame that began inside it is not lost.
    for (let input: Buffer | undefined = chunk; input; ) input = this.scan(input, frames);
    return frames;
  }

  /** Scans one chunk; returns bytes to rescan when it found the current frame broken. */
  private scan(chunk: Buffer, frames: Buffer[]): Buffer | undefined {
    let i = 0;
    const n = chunk.length;
    let frameStartInChunk = this.state === SEEK_SOI || this.state === SEEK_SOI_FF ? -1 : 0;
    if (frameStartInChunk === 0) this.parts.push(chunk);

    while (i < n) {
      switch (this.state) {
        case SEEK_SOI: {
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            i = n;
            break;
          }
          i = ff + 1;
          this.state = SEEK_SOI_FF;
          break;
        }
        case SEEK_SOI_FF: {
          const b = chunk[i]!;
          if (b === SOI) {
            // The SOI's FF may have ended the previous chunk; a frame then starts one byte before this chunk.
            this.state = MARKER;
            if (i === 0) {
              this.parts = [Buffer.from([0xff]), chunk];
              this.startOffset = 0;
              frameStartInChunk = 0;
            } else {
              this.parts = [chunk];
              this.startOffset = i - 1;
              frameStartInChunk = i - 1;
            }
            i++;
          } else {
            this.state = b === 0xff ? SEEK_SOI_FF : SEEK_SOI;
            i++;
          }
          break;
        }
        case MARKER: {
          const b = chunk[i++]!;
          if (b === 0xff) this.state = MARKER_TYPE;
          else return this.broken(chunk); // not a marker where one must be: corrupt frame
          break;
        }
        case MARKER_TYPE: {
          const b = chunk[i++]!;
          if (b === 0xff) break; // fill byte
          this.marker = b;
          if (b === EOI) {
            frames.push(this.takeFrame(chunk, i, frameStartInChunk));
            frameStartInChunk = -1;
          } else if (b === SOI) {
            return this.broken(chunk);
          } else if (isStandalone(b)) {
            this.state = MARKER;
          } else {
            this.state = LEN_HI;
          }
          break;
        }
        case LEN_HI:
          this.segmentLength = chunk[i++]! << 8;
          this.state = LEN_LO;
          break;
        case LEN_LO:
          this.segmentLength |= chunk[i++]!;
          this.toSkip = this.segmentLength - 2;
          if (this.toSkip < 0) return this.broken(chunk);
          this.state = this.toSkip === 0 ? this.afterSegment() : SKIP;
          break;
        case SKIP: {
          const step = Math.min(this.toSkip, n - i);
          i += step;
          this.toSkip -= step;
          if (this.toSkip === 0) this.state = this.afterSegment();
          break;
        }
        case ENTROPY: {
          const ff = chunk.indexOf(0xff, i);
          if (ff < 0) {
            i = n;
            break;
          }
          i = ff + 1;
          this.state = ENTROPY_FF;
          break;
        }
        case ENTROPY_FF: {
          const b = chunk[i++]!;
          if (b === 0x00 || (b >= 0xd0 && b <= 0xd7)) {
            this.state = ENTROPY; // stuffed byte or restart marker: still scan data
          } else if (b === 0xff) {
            this.state = ENTROPY_FF;
          } else if (b === EOI) {
            frames.push(this.takeFrame(chunk, i, frameStartInChunk));
            frameStartInChunk = -1;
          } else if (b === SOI) {
            return this.broken(chunk); // a new image began before this one ended
          } else {
            // Another segment after the scan (progressive JPEG: DHT, SOS, ...).
            this.marker = b;
            this.state = isStandalone(b) ? MARKER : LEN_HI;
          }
          break;
        }
      }
    }

    if (this.parts.length > 0) {
      this.pendingBytes += frameStartInChunk >= 0 ? n - frameStartInChunk : n;
      if (this.pendingBytes > this.maxFrameBytes) {
        this.dropped++;
        this.parts = [];
        this.pendingBytes = 0;
        this.state = SEEK_SOI;
      }
    }
    return undefined;
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.pendingBytes;
  }

  private afterSegment(): number {
    return this.marker === SOS ? ENTROPY : MARKER;
  }

  /** Drops the current frame; returns its bytes after the SOI plus the rest of `chunk`, to be scanned again. */
  private broken(chunk: Buffer): Buffer {
    this.dropped++;
    const [first, ...rest] = this.parts; // the last part is `chunk` itself
    const replay =
      rest.length === 0 ? chunk.subarray(this.startOffset + 2) : Buffer.concat([first!.subarray(this.startOffset + 2), ...rest]);
    this.parts = [];
    this.pendingBytes = 0;
    this.state = SEEK_SOI;
    return replay;
  }

  /** Cuts the frame ending just before `end` in `chunk` and resets for the next one. */
  private takeFrame(chunk: Buffer, end: number, frameStartInChunk: number): Buffer {
    let frame: Buffer;
    if (this.parts.length === 1 && frameStartInChunk >= 0) {
      frame = chunk.subarray(frameStartInChunk, end);
    } else {
      const first = this.parts[0]!;
      const pieces = [first.subarray(this.startOffset), ...this.parts.slice(1, -1), chunk.subarray(0, end)];
      frame = Buffer.concat(pieces);
    }
    this.parts = [];
    this.pendingBytes = 0;
    this.state = SEEK_SOI;
    return frame;
  }
}
