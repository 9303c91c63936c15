// The sites of a plan in the compose file: per site that topics are mirrored into, a `mirror-<site>` service running
// Apache Kafka's own dedicated-mode MirrorMaker 2 from the official apache/kafka image, as on Kubernetes, with the
// mm2.properties mirror.ts derives, in a file beside compose.yaml mounted read-only. Compose is one Docker host, so
// each MirrorMaker is beside its target cluster only if that host is: run the file where the receiving site is.
import type { Plan } from '../../plan/types.js';
import { KAFKA_IMAGE, MIRROR_MAKER_SCRIPT, mirrorProcesses } from '../mirror.js';

const PROPERTIES_PATH = '/etc/mirror/mm2.properties';

export interface ComposeMirror {
  /** `mirror-<site>`, the site it writes to. */
  service: string;
  /** Its mm2.properties beside compose.yaml: `mirror-<site>.properties`. */
  file: string;
  properties: string;
  definition: Record<string, unknown>;
}

export function composeMirrors(plan: Plan): ComposeMirror[] {
  return mirrorProcesses(plan).map((mm) => {
    const service = `mirror-${mm.site}`;
    const file = `${service}.properties`;
    const definition = {
      image: KAFKA_IMAGE,
      // The script, not the image's CMD (a broker); --clusters: only the herder that writes to this site.
      entrypoint: [MIRROR_MAKER_SCRIPT],
      command: [PROPERTIES_PATH, '--clusters', mm.site],
      environment: { KAFKA_HEAP_OPTS: '-Xmx256m -Xms64m' },
      volumes: [`./${file}:${PROPERTIES_PATH}:ro`],
      restart: 'unless-stopped',
      // MirrorMaker commits its offsets on a graceful stop.
      stop_grace_period: '15s',
      labels: { 'tierflow.dev/site': mm.site },
      deploy: { resources: { reservations: { cpus: '0.25', memory: '384M' }, limits: { memory: '512M' } } },
    };
    return { service, file, properties: mm.properties, definition };
  });
}
