// A fused chain runs as stages: stage i handles wave k while stage i+1 handles wave k-1, so decode, detect and
// embed of different frames overlap (onnxruntime runs off the event loop) while each stage keeps wave order.

export type StageFn<T> = (wave: T) => Promise<T>;

export interface StagePipeline<T> {
  /** Waits for a free slot (at most `maxInFlight` waves), then starts the wave; `done` settles when it has gone through. */
  admit(wave: T): Promise<{ done: Promise<void> }>;
  /** Waves admitted and not yet through every stage. */
  inFlight(): number;
  /** Resolves when every admitted wave has finished. */
  idle(): Promise<void>;
}

/** A wave whose stage throws rejects; the later stages skip it. Operators skip bad records themselves, so a throw is a real failure. */
export function createStagePipeline<T>(stages: Array<StageFn<T>>, maxInFlight: number): StagePipeline<T> {
  const tails: Array<Promise<unknown>> = stages.map(() => Promise.resolve());
  let running = 0;
  const waiting: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  // A finished wave hands its slot straight to the next waiting one, so admission never overshoots.
  const release = () => {
    const next = waiting.shift();
    if (next) return next();
    running--;
    if (running === 0) {
      const ws = idleWaiters;
      idleWaiters = [];
      ws.forEach((w) => w());
    }
  };

  const start = (wave: T): Promise<void> => {
    let carried: Promise<T> = Promise.resolve(wave);
    stages.forEach((stage, i) => {
      const previousWaveHere = tails[i]!;
      carried = Promise.all([previousWaveHere, carried]).then(([, input]) => stage(input));
      tails[i] = carried.then(
        () => undefined,
        () => undefined,
      );
    });
    return carried.then(() => undefined).finally(release);
  };

  return {
    async admit(wave) {
      if (running >= maxInFlight) await new Promise<void>((r) => waiting.push(r));
      else running++;
      return { done: start(wave) };
    },
    inFlight: () => running,
    idle: () => (running === 0 ? Promise.resolve() : new Promise<void>((r) => idleWaiters.push(r))),
  };
}
