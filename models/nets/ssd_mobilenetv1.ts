// face-api's SsdMobilenetv1 as ONNX. Input [N,512,512,3] NHWC RGB 0..255; outputs what face-api's forwardInput
// returns before NMS: boxes [N,5118,4] (ymin, xmin, ymax, xmax relative to the input) and scores [N,5118].
import { OnnxGraph } from '../onnx-graph.js';
import type { TfWeights } from '../tfjs-weights.js';
import { conv2d, depthwiseConv2d, nchwToNhwc, nhwcToNchw, relu6, scalar } from './tf-layers.js';

export const SSD_INPUT = 512;
export const SSD_ANCHORS = 5118;

export function buildSsdMobilenetv1(w: TfWeights): OnnxGraph {
  const g = new OnnxGraph('ssd_mobilenetv1');
  const input = g.input('input', ['batch', SSD_INPUT, SSD_INPUT, 3]);
  let x = g.node('Sub', [g.node('Div', [nhwcToNchw(g, input), scalar(g, 127.5)]), scalar(g, 1)]);

  const pointwise = (v: string, prefix: string, stride: number): string =>
    relu6(g, conv2d(g, v, w.get(`${prefix}/weights`), { stride, padding: 'same', bias: w.get(`${prefix}/convolution_bn_offset`) }));

  const depthwise = (v: string, prefix: string, stride: number): string => {
    const out = depthwiseConv2d(g, v, w.get(`${prefix}/depthwise_weights`), { stride, padding: 'same' });
    const bn = (k: string): string => g.constFloat(k, w.get(`${prefix}/BatchNorm/${k}`).data, [w.get(`${prefix}/BatchNorm/${k}`).data.length]);
    const normed = g.node('BatchNormalization', [out, bn('gamma'), bn('beta'), bn('moving_mean'), bn('moving_variance')], { epsilon: { f: 0.0010000000474974513 } });
    return relu6(g, normed);
  };

  x = pointwise(x, 'MobilenetV1/Conv2d_0_pointwise', 2);
  let conv11 = '';
  for (let i = 1; i <= 13; i++) {
    x = depthwise(x, `MobilenetV1/Conv2d_${i}_depthwise`, [2, 4, 6, 12].includes(i) ? 2 : 1);
    x = pointwise(x, `MobilenetV1/Conv2d_${i}_pointwise`, 1);
    if (i === 11) conv11 = x;
  }

  const p = (i: number, v: string, stride: number): string => pointwise(v, `Prediction/Conv2d_${i}_pointwise`, stride);
  const c0 = p(0, x, 1);
  const c1 = p(1, c0, 2);
  const c2 = p(2, c1, 1);
  const c3 = p(3, c2, 2);
  const c4 = p(4, c3, 1);
  const c5 = p(5, c4, 2);
  const c6 = p(6, c5, 1);
  const c7 = p(7, c6, 2);

  // Each predictor's NHWC output is reshaped in TF's (row-major NHWC) order, so go back to NHWC first.
  const predictor = (v: string, idx: number, kind: 'BoxEncodingPredictor' | 'ClassPredictor', depth: number): string => {
    const prefix = `Prediction/BoxPredictor_${idx}/${kind}`;
    const out = conv2d(g, v, w.get(`${prefix}/weights`), { padding: 'same', bias: w.get(`${prefix}/biases`) });
    return g.node('Reshape', [nchwToNhwc(g, out), g.constInt64('shape', [0, -1, depth])]);
  };
  const sources = [conv11, x, c1, c3, c5, c7];
  const encodings = g.node('Concat', sources.map((s, i) => predictor(s, i, 'BoxEncodingPredictor', 4)), { axis: 1 });
  const classes = g.node('Concat', sources.map((s, i) => predictor(s, i, 'ClassPredictor', 3)), { axis: 1 });

  // outputLayer: anchor sizes and centres are constants, computed in float32 exactly as TF would.
  const anchors = w.get('Output/extra_dim').data;
  const n = anchors.length / 4;
  const col = (f: (i: number) => number): string => g.constFloat('anchor', Float32Array.from({ length: n }, (_, i) => f(i)), [n, 1]);
  const a = (i: number, k: number): number => anchors[i * 4 + k]!;
  const f = Math.fround;
  const size0 = (i: number): number => f(a(i, 2) - a(i, 0));
  const size1 = (i: number): number => f(a(i, 3) - a(i, 1));
  const sizes = [col(size0), col(size1)];
  const centers = [col((i) => f(a(i, 0) + f(size0(i) / 2))), col((i) => f(a(i, 1) + f(size1(i) / 2)))];

  const slice = (v: string, k: number): string => g.node('Slice', [v, g.constInt64('start', [k]), g.constInt64('end', [k + 1]), g.constInt64('axis', [2])]);
  const v = [0, 1, 2, 3].map((k) => slice(encodings, k));
  const half = (k: 0 | 1): string => g.node('Div', [g.node('Mul', [g.node('Exp', [g.node('Div', [v[k + 2]!, scalar(g, 5)])]), sizes[k]!]), scalar(g, 2)]);
  const mid = (k: 0 | 1): string => g.node('Add', [g.node('Mul', [g.node('Div', [v[k]!, scalar(g, 10)]), sizes[k]!]), centers[k]!]);
  const div0 = half(0);
  const add0 = mid(0);
  const div1 = half(1);
  const add1 = mid(1);
  const boxes = g.node('Concat', [g.node('Sub', [add0, div0]), g.node('Sub', [add1, div1]), g.node('Add', [add0, div0]), g.node('Add', [add1, div1])], { axis: 2 });
  g.output(boxes, 'boxes', ['batch', n, 4]);

  const scores = g.node('Reshape', [g.node('Sigmoid', [slice(classes, 1)]), g.constInt64('shape', [0, -1])]);
  g.output(scores, 'scores', ['batch', n]);
  return g;
}
