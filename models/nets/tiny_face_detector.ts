// face-api's TinyFaceDetector (a MobileNet-style tiny YOLOv2) as ONNX. Input [N,S,S,3] NHWC RGB 0..255 for any
// S divisible by 32 (face-api's inputSize); output the raw grid [N,S/32,S/32,25] NHWC, decoded in models/infer.
import { OnnxGraph } from '../onnx-graph.js';
import type { TfWeights } from '../tfjs-weights.js';
import { conv2d, nchwToNhwc, nhwcToNchw, separableConv2d, subMeanDiv255 } from './tf-layers.js';

export const TINY_MEAN_RGB: [number, number, number] = [117.001, 114.697, 97.404];

export function buildTinyFaceDetector(w: TfWeights): OnnxGraph {
  const g = new OnnxGraph('tiny_face_detector');
  const input = g.input('input', ['batch', 'size', 'size', 3]);
  let x = subMeanDiv255(g, nhwcToNchw(g, input), TINY_MEAN_RGB);

  const leaky = (v: string): string => g.node('LeakyRelu', [v], { alpha: { f: 0.10000000149011612 } });
  // TF 2x2 'same' pooling pads bottom/right only: ONNX SAME_UPPER.
  const maxPool = (v: string, stride: number): string => g.node('MaxPool', [v], { kernel_shape: [2, 2], strides: [stride, stride], auto_pad: 'SAME_UPPER' });
  // tinyYolov2's separable conv: explicit 1-pixel pad, 'valid' separable conv, bias, leaky relu.
  const sep = (v: string, prefix: string): string =>
    leaky(
      separableConv2d(
        g,
        v,
        { depthwise: w.get(`${prefix}/depthwise_filter`), pointwise: w.get(`${prefix}/pointwise_filter`), bias: w.get(`${prefix}/bias`) },
        { padding: [1, 1, 1, 1] },
      ),
    );

  // The first conv is 'valid' (416 -> 414), unlike every later layer.
  x = leaky(conv2d(g, x, w.get('conv0/filters'), { padding: 'valid', bias: w.get('conv0/bias') }));
  x = maxPool(x, 2);
  for (const layer of ['conv1', 'conv2', 'conv3', 'conv4']) x = maxPool(sep(x, layer), 2);
  x = maxPool(sep(x, 'conv5'), 1);
  x = conv2d(g, x, w.get('conv8/filters'), { padding: 'valid', bias: w.get('conv8/bias') });
  g.output(nchwToNhwc(g, x), 'grid', ['batch', 'cells', 'cells', 25]);
  return g;
}
