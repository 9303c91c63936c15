// The sites of a plan on Kubernetes: per site with flows, a ConfigMap holding its mm2.properties (mirror.ts) and a
// Deployment running Apache Kafka's own dedicated-mode MirrorMaker 2 from the official apache/kafka image, on a
// node of that site. A plain Deployment rather than Strimzi's KafkaMirrorMaker2: a site's cluster is often not
// Strimzi-managed (a gateway's single broker, a managed cloud Kafka), and the same mm2.properties then runs
// unchanged on Kubernetes and in the local deploy. One replica: MirrorMaker's exactly-once source support is for
// one worker per dedicated cluster without the internal REST server (KIP-710).
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { NodeSpec } from '../../topology/schema.js';
import type { Plan } from '../../plan/types.js';
import { dnsLabel } from '../manifest-common.js';
import { KAFKA_IMAGE, MIRROR_MAKER_SCRIPT, mirrorProcesses } from '../mirror.js';
import { NODE_LABEL } from './scheduling.js';

export function mirrorManifests(plan: Plan, namespace: string, nodes: readonly NodeSpec[]): Array<IConfigMap | IDeployment> {
  return mirrorProcesses(plan).flatMap((mm) => {
    const name = dnsLabel('tf', plan.topology, 'mirror', mm.site);
    const labels = { 'app.kubernetes.io/name': 'tierflow-mirror', 'app.kubernetes.io/part-of': plan.topology, 'tierflow.dev/site': mm.site };
    const siteNodes = plan.sites!.find((s) => s.name === mm.site)!.nodes.filter((n) => nodes.some((x) => x.name === n));
    const cm: IConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { 'mm2.properties': mm.properties } };
    const deployment: IDeployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'tierflow-mirror', 'tierflow.dev/site': mm.site } },
        template: {
          metadata: { labels },
          spec: {
            // At the site, on any of its nodes.
            ...(siteNodes.length
              ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: NODE_LABEL, operator: 'In', values: siteNodes }] }] } } } }
              : {}),
            tolerations: [{ key: 'node-role.kubernetes.io/edge', operator: 'Exists', effect: 'NoSchedule' }],
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
            containers: [
              {
                name: 'mirror-maker',
                image: KAFKA_IMAGE,
                // --clusters: only the herder that writes to this site, as everywhere else.
                command: [MIRROR_MAKER_SCRIPT, '/etc/mirror/mm2.properties', '--clusters', mm.site],
                env: [{ name: 'KAFKA_HEAP_OPTS', value: '-Xmx256m -Xms64m' }],
                resources: { requests: { cpu: '250m', memory: '384Mi' }, limits: { memory: '512Mi' } },
                volumeMounts: [{ name: 'mm2', mountPath: '/etc/mirror', readOnly: true }],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
            volumes: [{ name: 'mm2', configMap: { name } }],
          },
        },
      },
    };
    return [cm, deployment];
  });
}
