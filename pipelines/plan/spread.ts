// Spreading one operator's replicas over the nodes of a tier: one replica at a time, round-robin over the
// nodes (cheapest first) that still have room for one more, so equal nodes share the load and a node that
// holds only one replica passes the rest on. Pure; the caller picks the tier and the node order.

export interface Room {
  cpu: number;
  memory: number;
}

export interface SpreadNode {
  name: string;
  room: Room;
}

/** Replica numbers (1-based) per node, in `nodes` order and leaving out nodes that got none;
 *  undefined when the nodes together cannot hold `replicas` replicas of `perReplica`. */
export function spreadReplicas(replicas: number, nodes: readonly SpreadNode[], perReplica: Room): Array<{ node: string; replicas: number[] }> | undefined {
  const left = nodes.map((n) => ({ name: n.name, cpu: n.room.cpu, memory: n.room.memory, got: [] as number[] }));
  let next = 1;
  while (next <= replicas) {
    let placedOne = false;
    for (const n of left) {
      if (next > replicas) break;
      // Same tolerance as the placer's capacity check: cpu is fractional, memory whole MB.
      if (perReplica.cpu > n.cpu + 1e-9 || perReplica.memory > n.memory) continue;
      n.cpu -= perReplica.cpu;
      n.memory -= perReplica.memory;
      n.got.push(next++);
      placedOne = true;
    }
    if (!placedOne) return undefined;
  }
  return left.filter((n) => n.got.length > 0).map((n) => ({ node: n.name, replicas: n.got }));
}
