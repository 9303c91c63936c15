// The topology language, declared once: the TypeScript types are inferred from these schemas, validation
// runs them, and `topology.schema.json` (for editors) is generated from them by `npm run gen`.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const DEFAULT_TIERS = ['device', 'edge', 'fog', 'cloud'] as const;
export const DATA_CLASSES = ['frame', 'crop', 'embedding', 'event'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

const Name = (description: string) =>
  Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$', description: `${description} (lowercase letters, digits and '-')` });

/** `${env:NAME}`: the only way a credential may appear in a topology. */
export const ENV_REF_PATTERN = '^\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\}$';
const SecretRef = (description: string) =>
  Type.String({ description: `${description}, as an environment reference \${env:NAME}; never a literal` });

/** host:port of a Kafka broker. */
const BROKER_PATTERN = '^[^\\s:]+:[0-9]+$';

export const NodeSpec = Type.Object(
  {
    name: Name('Node name'),
    tier: Type.String({ description: 'Tier this node belongs to' }),
    arch: Type.Union([Type.Literal('amd64'), Type.Literal('arm64')], { default: 'amd64', description: 'CPU architecture' }),
    cpu: Type.Number({ exclusiveMinimum: 0, description: 'CPU cores available to tierflow' }),
    memory: Type.Integer({ minimum: 64, description: 'Memory available to tierflow, in MB' }),
    accelerators: Type.Array(Type.String(), { default: [], description: 'Accelerators on the node, e.g. gpu, npu' }),
    labels: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Labels, used as Kubernetes node selectors' }),
    brokers: Type.Optional(
      Type.Array(Type.String({ pattern: BROKER_PATTERN }), {
        minItems: 1,
        description: "host:port brokers through which this node's workers reach the Kafka backbone when that differs from backbone.brokers (a VPN, a bridge, a proxy)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const LinkSpec = Type.Object(
  {
    from: Type.String({ description: 'Node or tier at one end' }),
    to: Type.String({ description: 'Node or tier at the other end' }),
    latencyMs: Type.Number({ minimum: 0, description: 'One-way latency in milliseconds' }),
    bandwidthMbps: Type.Number({ exclusiveMinimum: 0, description: 'Bandwidth in Mbit/s' }),
    costPerGB: Type.Number({ minimum: 0, default: 0, description: 'Transfer cost per GB' }),
  },
  { additionalProperties: false },
);

export const SourceSpec = Type.Object(
  {
    name: Name('Source name (the camera id in every record)'),
    url: Type.String({
      pattern: '^([a-z][a-z0-9+.-]*:|\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\})',
      description:
        'What the source operator reading it opens, by scheme (each operator lists its schemes in docs/operators.md): an rtsp:// or rtsps:// camera, a file: video or image path, a demo:<image> virtual camera panning over an image, mqtt://HOST[:PORT]/TOPIC-FILTER sensors. ${env:NAME} may stand for any part (a password) or the whole URL, resolved where the worker runs',
    }),
    node: Type.String({ description: 'Node the source is attached to' }),
    fps: Type.Number({ exclusiveMinimum: 0, maximum: 120, default: 5, description: 'Target frames per second' }),
    resolution: Type.String({ pattern: '^[0-9]+x[0-9]+$', default: '640x360', description: 'Frame size WIDTHxHEIGHT' }),
    transport: Type.Union([Type.Literal('tcp'), Type.Literal('udp')], { default: 'tcp', description: 'RTSP transport' }),
    maxLatencyMs: Type.Integer({ minimum: 1, default: 2000, description: 'End-to-end latency bound; older frames are dropped' }),
    loop: Type.Boolean({ default: false, description: 'Replay a file source forever' }),
  },
  { additionalProperties: false },
);

export const PlacementSpec = Type.Union(
  [
    Type.Literal('auto'),
    Type.Object({ tier: Type.String() }, { additionalProperties: false }),
    Type.Object({ node: Type.String() }, { additionalProperties: false }),
    Type.Object({ near: Type.Literal('source') }, { additionalProperties: false }),
  ],
  { default: 'auto', description: "Where the operator may run: 'auto', {tier: T}, {node: N} or {near: source}" },
);

export const PRIORITIES = ['low', 'normal', 'high'] as const;
export const FlowSpec = Type.Object(
  {
    id: Name('Operator instance id'),
    uses: Type.String({
      pattern: '^([a-z][a-z0-9-]*|(\\.{1,2}/|/)[^@\\s]+|@[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*|[a-z0-9][a-z0-9._-]*)@[0-9]+$',
      description: 'Operator and major version: a registered one (people-count@1), a module of your own relative to this file (./operators/temperature-zscore@1) or an npm package installed beside it (@acme/plates@1)',
    }),
    inputs: Type.Array(Type.String(), { default: [], description: 'Source names or upstream operator ids' }),
    config: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "Operator configuration (see the operator's reference)" }),
    placement: PlacementSpec,
    replicas: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'Parallel instances (consumer-group members)' }),
    priority: Type.Union(PRIORITIES.map((p) => Type.Literal(p)), { default: 'normal', description: 'Priority under overload' }),
  },
  { additionalProperties: false },
);

const TierName = Type.String();
export const PoliciesSpec = Type.Object(
  {
    frame: Type.Optional(TierName),
    crop: Type.Optional(TierName),
    embedding: Type.Optional(TierName),
    event: Type.Optional(TierName),
  },
  { additionalProperties: false, description: 'Outermost tier each data class may reach' },
);
export const DEFAULT_POLICIES: Record<DataClass, string> = { frame: 'edge', crop: 'edge', embedding: 'fog', event: 'cloud' };

export const KafkaSecuritySpec = Type.Object(
  {
    protocol: Type.Union([Type.Literal('PLAINTEXT'), Type.Literal('SSL'), Type.Literal('SASL_PLAINTEXT'), Type.Literal('SASL_SSL')], {
      default: 'PLAINTEXT',
    }),
    mechanism: Type.Optional(Type.Union([Type.Literal('PLAIN'), Type.Literal('SCRAM-SHA-256'), Type.Literal('SCRAM-SHA-512')])),
    username: Type.Optional(SecretRef('SASL user name')),
    password: Type.Optional(SecretRef('SASL password')),
    caFile: Type.Optional(Type.String({ description: "PEM file of the CA that signed the brokers' certificates" })),
  },
  { additionalProperties: false },
);

export const BackboneSpec = Type.Union(
  [
    Type.Object({ type: Type.Literal('embedded') }, { additionalProperties: false }),
    Type.Object(
      {
        type: Type.Literal('kafka'),
        brokers: Type.Array(Type.String({ pattern: BROKER_PATTERN }), { minItems: 1, description: 'host:port bootstrap brokers' }),
        security: Type.Optional(KafkaSecuritySpec),
        schemaRegistry: Type.Optional(Type.String({ pattern: '^https?://', description: 'Confluent schema registry URL' })),
        site: Type.Optional(Name("Name of the site this cluster serves when the topology has sites: every node no site lists (default 'central')")),
      },
      { additionalProperties: false },
    ),
  ],
  { default: { type: 'embedded' } },
);

export const DEFAULT_CENTRAL_SITE = 'central';

/** A site with a Kafka cluster of its own (a building, a shop): its workers use it, and the topics that cross to
 *  another site are mirrored by MirrorMaker 2. Nodes no site lists belong to the backbone's cluster. */
export const SiteSpec = Type.Object(
  {
    name: Name('Site name: the cluster alias MirrorMaker 2 knows it by'),
    nodes: Type.Array(Type.String(), { minItems: 1, description: 'Nodes at this site; their workers use its brokers' }),
    brokers: Type.Array(Type.String({ pattern: BROKER_PATTERN }), { minItems: 1, description: "host:port bootstrap brokers of the site's own Kafka cluster" }),
    wanBrokers: Type.Optional(
      Type.Array(Type.String({ pattern: BROKER_PATTERN }), {
        minItems: 1,
        description: "host:port of this site's brokers as the central side reaches them across the WAN, where the MirrorMaker 2 carrying this site's topics up runs (default: brokers)",
      }),
    ),
    centralBrokers: Type.Optional(
      Type.Array(Type.String({ pattern: BROKER_PATTERN }), {
        minItems: 1,
        description: "host:port of the backbone's brokers as this site reaches them across the WAN, where the MirrorMaker 2 carrying central topics down runs (default: backbone.brokers)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const TopologySpec = Type.Object(
  {
    name: Name('Topology name: prefixes every derived topic and consumer group'),
    tiers: Type.Array(Name('Tier'), { minItems: 1, default: [...DEFAULT_TIERS], description: 'Tiers from the data source outward' }),
    nodes: Type.Array(NodeSpec, { minItems: 1 }),
    links: Type.Array(LinkSpec, { default: [] }),
    sources: Type.Array(SourceSpec, { default: [] }),
    flows: Type.Array(FlowSpec, { minItems: 1 }),
    policies: Type.Optional(PoliciesSpec),
    backbone: BackboneSpec,
    sites: Type.Optional(Type.Array(SiteSpec, { minItems: 1, description: 'Sites with Kafka clusters of their own; absent: one cluster for every node' })),
  },
  { additionalProperties: false, $id: 'https://tierflow.dev/topology.schema.json', title: 'tierflow topology' },
);

export type NodeSpec = Static<typeof NodeSpec>;
export type LinkSpec = Static<typeof LinkSpec>;
export type SourceSpec = Static<typeof SourceSpec>;
export type PlacementSpec = Static<typeof PlacementSpec>;
export type FlowSpec = Static<typeof FlowSpec>;
export type Priority = (typeof PRIORITIES)[number];
export type BackboneSpec = Static<typeof BackboneSpec>;
export type SiteSpec = Static<typeof SiteSpec>;
export type KafkaSecuritySpec = Static<typeof KafkaSecuritySpec>;
export type Topology = Static<typeof TopologySpec>;
export type { TSchema };
