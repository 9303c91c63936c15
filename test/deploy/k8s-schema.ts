// Offline Kubernetes schema validation of generated manifests. kubeconform fetches its JSON schemas from
// GitHub, which CI cannot reach; kubernetes-models (npm) ships ajv validators compiled from the Kubernetes
// OpenAPI definitions instead. They check types, required fields and formats but not unknown fields, so the
// generator builds its objects against the same package's TypeScript interfaces, where tsc rejects those.
// Object names and labels are checked here as the API server would (apimachinery's DNS-1123/1035 rules).
import { parseAllDocuments } from 'yaml';
import Ajv from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';

interface Validatable {
  validate(): void;
}
type ModelFactory = (data: Record<string, unknown>) => Validatable;

/**
 * Strimzi's KafkaUser and KafkaTopic (kafka.strimzi.io/v1beta2): no npm package ships their CRD schemas and the
 * CRD files cannot be vendored here, so this is our own subset of the fields tierflow writes, with Strimzi's
 * enums (ACL resource types, pattern types, operations) as its documentation lists them: strict (no other fields).
 */
const STRIMZI_ACL = {
  type: 'object',
  additionalProperties: false,
  required: ['resource', 'operations'],
  properties: {
    resource: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { enum: ['topic', 'group', 'cluster', 'transactionalId'] },
        name: { type: 'string', minLength: 1 },
        patternType: { enum: ['literal', 'prefix'] },
      },
    },
    operations: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['Read', 'Write', 'Create', 'Delete', 'Alter', 'Describe', 'ClusterAction', 'AlterConfigs', 'DescribeConfigs', 'IdempotentWrite', 'All'] } },
    host: { type: 'string' },
  },
};
const STRIMZI_META = { type: 'object', required: ['name', 'labels'], properties: { labels: { type: 'object', required: ['strimzi.io/cluster'] } } };
const ajv = new Ajv({ allErrors: true });
const strimzi = (spec: object): ModelFactory => {
  const check = ajv.compile({ type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], properties: { metadata: STRIMZI_META, spec } });
  return (d) => ({ validate: () => void (check(d) || (() => { throw new Error(ajv.errorsText(check.errors)); })()) });
};
const KAFKA_USER_SPEC = {
  type: 'object',
  additionalProperties: false,
  required: ['authentication', 'authorization'],
  properties: {
    authentication: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { enum: ['tls', 'tls-external', 'scram-sha-512'] } } },
    authorization: { type: 'object', additionalProperties: false, required: ['type', 'acls'], properties: { type: { const: 'simple' }, acls: { type: 'array', items: STRIMZI_ACL } } },
  },
};
const KAFKA_TOPIC_SPEC = {
  type: 'object',
  additionalProperties: false,
  required: ['partitions'],
  properties: { topicName: { type: 'string' }, partitions: { type: 'integer', minimum: 1 }, replicas: { type: 'integer', minimum: 1 }, config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } } },
};

const MODELS: Record<string, ModelFactory> = {
  'apps/v1/Deployment': (d) => new Deployment(d as never),
  'v1/Service': (d) => new Service(d as never),
  'v1/ConfigMap': (d) => new ConfigMap(d as never),
  'v1/Namespace': (d) => new Namespace(d as never),
  'kafka.strimzi.io/v1beta2/KafkaUser': strimzi(KAFKA_USER_SPEC),
  'kafka.strimzi.io/v1beta2/KafkaTopic': strimzi(KAFKA_TOPIC_SPEC),
};

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Problems of one manifest object, as `Kind/name: message` lines; empty when it is valid. */
export function validateManifest(obj: unknown): string[] {
  if (typeof obj !== 'object' || obj === null) return ['document is not an object'];
  const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; labels?: unknown } };
  const kind = `${String(o.apiVersion)}/${String(o.kind)}`;
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '';
  const where = `${String(o.kind)}/${name || '?'}`;
  const factory = MODELS[kind];
  if (!factory) return [`${where}: no schema for ${kind}`];
  const problems: string[] = [];
  try {
    factory(obj as Record<string, unknown>).validate();
  } catch (e) {
    problems.push(`${where}: ${(e as Error).message}`);
  }
  const nameRule = o.kind === 'Service' ? DNS1035_LABEL : o.kind === 'Namespace' ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (!nameRule.test(name) || name.length > (o.kind === 'Service' || o.kind === 'Namespace' ? 63 : 253)) {
    problems.push(`${where}: invalid metadata.name '${name}'`);
  }
  if (o.metadata?.namespace !== undefined && !(typeof o.metadata.namespace === 'string' && DNS1123_LABEL.test(o.metadata.namespace))) {
    problems.push(`${where}: invalid metadata.namespace`);
  }
  for (const labels of labelMaps(obj)) problems.push(...labelProblems(where, labels));
  return problems;
}

/** Every document of a YAML text (multi-document files included). */
export function validateManifestText(text: string): string[] {
  const problems: string[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) problems.push(...doc.errors.map((e) => e.message));
    else problems.push(...validateManifest(doc.toJS()));
  }
  return problems;
}

function labelMaps(obj: unknown): unknown[] {
  const o = obj as { metadata?: { labels?: unknown }; spec?: { selector?: unknown; template?: { metadata?: { labels?: unknown }; spec?: { nodeSelector?: unknown } } } };
  const maps: unknown[] = [o.metadata?.labels, o.spec?.template?.metadata?.labels, o.spec?.template?.spec?.nodeSelector];
  const selector = o.spec?.selector as { matchLabels?: unknown } | undefined;
  maps.push(selector && 'matchLabels' in selector ? selector.matchLabels : selector);
  return maps.filter((m) => m !== undefined);
}

function labelProblems(where: string, labels: unknown): string[] {
  if (typeof labels !== 'object' || labels === null) return [`${where}: labels are not a map`];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const nameOk = LABEL_NAME.test(key) && (key.split('/').pop() ?? '').length <= 63;
    if (!nameOk) problems.push(`${where}: invalid label key '${key}'`);
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) problems.push(`${where}: invalid label value '${String(value)}' of '${key}'`);
  }
  return problems;
}
