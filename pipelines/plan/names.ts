// Every broker-side name is derived from the topology here and nowhere else, so a restarted or redeployed
// plan finds the same topics and consumer-group offsets.
export function topicName(topology: string, producer: string, stream: string): string {
  return `tierflow.${topology}.${producer}.${stream}`;
}

/** The topic a publishing sink (OperatorDefinition.publishes) writes to, for consumers outside tierflow. */
export function publishedTopicName(topology: string, topic: string): string {
  return `tierflow.${topology}.${topic}`;
}

/** One group per chain head: all placements of a chain share it, so each record is processed once. */
export function consumerGroupName(topology: string, head: string): string {
  return `tierflow.${topology}.${head}`;
}

/** The compacted topic holding a stateful operator's state, one partition per partition of its input topic. */
export function changelogTopicName(topology: string, operator: string): string {
  return `tierflow.${topology}.${operator}.changelog`;
}

/** The group id a changelog's restore reader carries: it never joins or commits, but the broker still checks READ on
 *  it when the reader asks for offsets, so the node's ACLs must name it. */
export function restoreGroupName(changelogTopic: string): string {
  return `tierflow.restore.${changelogTopic}`;
}

/** The dead-letter topic of a consumed topic (backbone/dead-letter.ts writes there; a test keeps the two equal). */
export function deadLetterTopicName(topic: string): string {
  return `${topic}.dlq`;
}

/** The SASL user (Kafka principal `User:<name>`) of one node's workers: its own credential and ACLs. */
export function principalName(topology: string, node: string): string {
  return `tierflow-${topology}-${node}`;
}
