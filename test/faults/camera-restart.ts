// Case camera-restart: two RTSP cameras (real lalserver, ffmpeg publishers); one publisher is killed for 10 s and
// restarted. Its decode must retry with backoff (status shows it retrying since the outage began) and reconnect;
// the other camera's frames keep flowing all the while. Live cameras are not replayed, so nothing is counted lost.
import { readFileSync, writeFileSync } from 'node:fs';
import { CLIP } from '../helpers/clip-topology.js';
import { FaultDeploy, MatchCollector } from '../helpers/faults.js';
import { until } from '../helpers/deploy.js';
import { publishCameras, startRtspServer, stopAll } from '../helpers/rtsp.js';
import type { CaseResult } from './case.js';

export const CAMERA_OUTAGE_MS = 10_000;

export async function cameraRestart(): Promise<CaseResult> {
  const server = await startRtspServer();
  let d: FaultDeploy | null = null;
  let collector: MatchCollector | null = null;
  try {
    const [pub1] = await publishCameras(server, CLIP, 2);
    d = await FaultDeploy.create('faults-camera', { cameras: 2, fps: 5, maxLatencyMs: 5_000 });
    const yaml = readFileSync(d.file, 'utf8');
    const live = yaml.replace(/(name: cam-(\d+), )url: "file:[^"]+"/g, (_, head: string, n: string) => `${head}url: "${server.url(`cam${n}`)}"`);
    if (live === yaml) throw new Error('the clip topology changed shape: cannot point cameras at RTSP');
    writeFileSync(d.file, live);
    const dep = d;
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    const from = (camera: string, t: number) => c.latencies.filter((l) => l.camera === camera && l.at > t).length;
    await until('both cameras producing results', async () => from('cam-1', 0) > 0 && from('cam-2', 0) > 0, 120_000);

    const killedAt = Date.now();
    await pub1!.stop();
    const retrying = await until('status to show cam-1 retrying', async () => {
      const s = (await dep.status()).sources.find((x) => x.source === 'cam-1');
      return s && s.state === 'retrying' && s;
    }, 60_000).catch(() => null);
    const outageLeft = CAMERA_OUTAGE_MS - (Date.now() - killedAt);
    if (outageLeft > 0) await new Promise((r) => setTimeout(r, outageLeft));
    const restartedAt = Date.now();
    const cam2During = from('cam-2', killedAt + 2_000) - from('cam-2', restartedAt);
    await pub1!.restart();
    const back = await until('cam-1 results again', async () => c.latencies.find((l) => l.camera === 'cam-1' && l.at > restartedAt), 90_000).catch(() => null);
    const s = await d.status();
    const cam1 = s.sources.find((x) => x.source === 'cam-1');
    const ev = await collector!.eventReport(true);
    return {
      name: 'camera-restart',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: null,
      duplicated: null,
      recoverySec: back ? Math.round((back.at - restartedAt) / 100) / 10 : null,
      ok: !!retrying && cam2During > 0 && !!back && cam1?.state === 'connected',
      detail: {
        events: ev.events,
        outageSec: (restartedAt - killedAt) / 1000,
        statusShowedRetrying: retrying ? { state: retrying.state, sinceSecAfterKill: (retrying.since - killedAt) / 1000, detail: retrying.detail ?? null } : null,
        cam2RecordsDuringOutage: cam2During,
        cam1StateAfter: cam1?.state ?? null,
        workerRestarts: Object.fromEntries(s.processes.map((p) => [p.id, p.restarts])),
      },
    };
  } finally {
    await collector?.close();
    await d?.undeploy();
    await server.stop().catch(() => undefined);
    await stopAll();
  }
}
