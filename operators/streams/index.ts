// The face flow's streams, declared with the public stream contract as any user's would be: what the engine knows
// of frames, faces, embeddings, matches and events is what these definitions say.
import { defineStream } from '../../pipelines/streams/stream.js';
import { FACE_SCHEMAS } from './schemas.js';
import { eventId, recordId, type Captured, type EmbeddingsRecord, type FacesRecord, type FrameRecord, type MatchesRecord, type SightingEvent } from './records.js';

const captured = {
  key: (r: Captured) => r.camera,
  id: (r: Captured) => recordId(r),
  captureTs: (r: Captured) => r.captureTs,
};

// Frames and faces carry JPEG: compressing the topic again costs CPU and saves nothing.
export const FRAMES = defineStream<FrameRecord>({ name: 'frames', dataClass: 'frame', versions: FACE_SCHEMAS.frames, compression: 'none', perishable: true, ...captured });
export const FACES = defineStream<FacesRecord>({ name: 'faces', dataClass: 'crop', versions: FACE_SCHEMAS.faces, compression: 'none', ...captured });
export const EMBEDDINGS = defineStream<EmbeddingsRecord>({ name: 'embeddings', dataClass: 'embedding', versions: FACE_SCHEMAS.embeddings, ...captured });
export const MATCHES = defineStream<MatchesRecord>({ name: 'matches', dataClass: 'event', versions: FACE_SCHEMAS.matches, ...captured });
export const EVENTS = defineStream<SightingEvent>({
  name: 'events',
  dataClass: 'event',
  versions: FACE_SCHEMAS.events,
  windowed: true,
  key: (e) => e.camera,
  id: (e) => eventId(e),
  captureTs: (e) => e.to,
  summary: (e) => ({ source: e.camera, label: e.identity }),
});

export const FACE_STREAMS = [FRAMES, FACES, EMBEDDINGS, MATCHES, EVENTS];
