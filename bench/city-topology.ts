// A city's topology as YAML, for the plan benchmark and its test: one camera per device node, a gateway per 100
// cameras on the edge, one cloud node; the default face pipeline with detect's replicas spread over two gateways,
// cameras at 1 fps (what a city's face search samples; at 5 fps 10,000 cameras' faces exceed the gateways' LAN).
// Generated, never committed: 10,000 cameras are ~2 MB of YAML.

export interface CityOptions {
  cameras: number;
  /** Cameras per edge gateway (default 100). */
  perGateway?: number;
}

const pad = (i: number, width: number) => String(i).padStart(width, '0');

export function cityTopology({ cameras, perGateway = 100 }: CityOptions): string {
  const gateways = Math.max(1, Math.ceil(cameras / perGateway));
  const w = String(cameras).length;
  const cams = Array.from({ length: cameras }, (_, i) => pad(i + 1, w));
  const lines: string[] = [
    `name: city-${cameras}`,
    'tiers: [device, edge, fog, cloud]',
    'x-camera-node: &camera-node { tier: device, arch: arm64, cpu: 1, memory: 1024 }',
    'nodes:',
    ...cams.map((c) => `  - { <<: *camera-node, name: cam-node-${c} }`),
    ...Array.from({ length: gateways }, (_, i) => `  - { name: gateway-${pad(i + 1, 4)}, tier: edge, cpu: 8, memory: 16384 }`),
    '  - { name: cloud-1, tier: cloud, cpu: 64, memory: 262144 }',
    'links:',
    '  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }',
    '  - { from: edge, to: cloud, latencyMs: 40, bandwidthMbps: 1000, costPerGB: 0.09 }',
    'sources:',
    ...cams.map((c, i) => `  - { name: cam-${c}, url: "demo:sample${(i % 6) + 1}.jpg", node: cam-node-${c}, fps: 1 }`),
    'flows:',
    '  - id: decode',
    '    uses: decode@1',
    '    placement: { near: source }',
    '    inputs:',
    ...cams.map((c) => `      - cam-${c}`),
    `  - { id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge }, replicas: ${Math.min(2, gateways)} }`,
    '  - { id: embed, uses: embed@1, inputs: [detect] }',
    '  - { id: match, uses: match@1, inputs: [embed], config: { gallery: gallery.json } }',
    '  - { id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud } }',
    '  - { id: results, uses: results@1, inputs: [aggregate] }',
    'backbone: { type: embedded }',
  ];
  return `${lines.join('\n')}\n`;
}
