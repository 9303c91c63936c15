// TF.js layers expressed as ONNX nodes. Graphs run NCHW inside (what ONNX Conv expects) while inputs stay NHWC
// like the tensors face-api feeds its nets; filters move from TF [kh, kw, in, out] to ONNX [out, in, kh, kw].
import type { OnnxGraph } from '../onnx-graph.js';
import type { TfWeight } from '../tfjs-weights.js';

export type TfPadding = 'same' | 'valid';

/** [kh, kw, in, out] -> [out, in, kh, kw]. */
export function tfFilterToOnnx(w: TfWeight): { data: Float32Array; dims: number[] } {
  const [kh, kw, cin, cout] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = w.data[((y * kw + x) * cin + i) * cout + o]!;
  return { data: out, dims: [cout, cin, kh, kw] };
}

/** TF 'same' puts the odd padding pixel after (bottom/right): ONNX SAME_UPPER. 'valid' pads nothing. */
function padAttrs(padding: TfPadding | [number, number, number, number]): Record<string, string | number[]> {
  if (Array.isArray(padding)) return { pads: padding };
  return padding === 'same' ? { auto_pad: 'SAME_UPPER' } : { auto_pad: 'VALID' };
}

export interface ConvOptions {
  stride?: number;
  padding: TfPadding | [number, number, number, number];
  bias?: TfWeight;
}

export function conv2d(g: OnnxGraph, x: string, filters: TfWeight, opts: ConvOptions): string {
  const w = tfFilterToOnnx(filters);
  const [kh, kw] = filters.shape as [number, number];
  const inputs = [x, g.constFloat('W', w.data, w.dims)];
  if (opts.bias) inputs.push(g.constFloat('B', opts.bias.data, [opts.bias.data.length]));
  const s = opts.stride ?? 1;
  return g.node('Conv', inputs, { kernel_shape: [kh, kw], strides: [s, s], ...padAttrs(opts.padding) });
}

/** TF depthwise filter [kh, kw, C, 1] becomes a grouped Conv with C groups and weights [C, 1, kh, kw]. */
export function depthwiseConv2d(g: OnnxGraph, x: string, filters: TfWeight, opts: ConvOptions): string {
  const [kh, kw, c, m] = filters.shape as [number, number, number, number];
  if (m !== 1) throw new Error(`depthwise multiplier ${m} not supported`);
  const w = tfFilterToOnnx({ shape: [kh, kw, 1, c], data: filters.data });
  const inputs = [x, g.constFloat('DW', w.data, [c, 1, kh, kw])];
  if (opts.bias) inputs.push(g.constFloat('B', opts.bias.data, [opts.bias.data.length]));
  const s = opts.stride ?? 1;
  return g.node('Conv', inputs, { kernel_shape: [kh, kw], strides: [s, s], group: c, ...padAttrs(opts.padding) });
}

/** tf.separableConv2d: depthwise (stride, padding) then a 1x1 pointwise conv; the bias is added after. */
export function separableConv2d(
  g: OnnxGraph,
  x: string,
  p: { depthwise: TfWeight; pointwise: TfWeight; bias: TfWeight },
  opts: { stride?: number; padding: TfPadding | [number, number, number, number] },
): string {
  const dw = depthwiseConv2d(g, x, p.depthwise, opts);
  return conv2d(g, dw, p.pointwise, { padding: 'valid', bias: p.bias });
}

/** A per-channel vector shaped [C, 1, 1] so it broadcasts over NCHW. */
export function channelConst(g: OnnxGraph, hint: string, v: TfWeight | number[]): string {
  const data = Array.isArray(v) ? Float32Array.from(v) : v.data;
  return g.constFloat(hint, data, [data.length, 1, 1]);
}

export function scalar(g: OnnxGraph, v: number): string {
  return g.constFloat('scalar', [v], []);
}

export function nhwcToNchw(g: OnnxGraph, x: string): string {
  return g.node('Transpose', [x], { perm: [0, 3, 1, 2] });
}

export function nchwToNhwc(g: OnnxGraph, x: string): string {
  return g.node('Transpose', [x], { perm: [0, 2, 3, 1] });
}

/** face-api's normalize(x, meanRgb) then .div(255), in that order so rounding matches. */
export function subMeanDiv255(g: OnnxGraph, x: string, meanRgb: [number, number, number]): string {
  const centred = g.node('Sub', [x, channelConst(g, 'mean_rgb', meanRgb)]);
  return g.node('Div', [centred, scalar(g, 255)]);
}

export function relu(g: OnnxGraph, x: string): string {
  return g.node('Relu', [x]);
}

export function relu6(g: OnnxGraph, x: string): string {
  return g.node('Clip', [x, scalar(g, 0), scalar(g, 6)]);
}

export function add(g: OnnxGraph, a: string, b: string): string {
  return g.node('Add', [a, b]);
}
