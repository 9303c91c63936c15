// Every broker-side name is derived from the topology here and nowhere else, so a restarted or redeployed
// plan finds the same topics and consumer-group offsets.
import type { StreamName } from '../streams/records.js';

export function topicName(topology: string, producer: string, stream: StreamName): string {
  return `tierflow.${topology}.${producer}.${stream}`;
}

/** The topic a results@1 sink publishes to, for consumers outside tierflow. */
export function resultsTopicName(topology: string): string {
  return `tierflow.${topology}.results`;
}

/** One group per chain head: all placements of a chain share it, so each record is processed once. */
export function consumerGroupName(topology: string, head: string): string {
  return `tierflow.${topology}.${head}`;
}
