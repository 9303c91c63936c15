// face-api's FaceRecognitionNet (a dlib ResNet-34 style net) as ONNX. Input [N,150,150,3] NHWC RGB 0..255,
// exactly what face-api's toBatchTensor(150, centred) produces; output the raw [N,128] descriptor.
import { OnnxGraph } from '../onnx-graph.js';
import type { TfWeights } from '../tfjs-weights.js';
import { add, channelConst, conv2d, nhwcToNchw, relu, subMeanDiv255 } from './tf-layers.js';

export const RECOGNITION_INPUT = 150;

export function buildFaceRecognition(w: TfWeights): OnnxGraph {
  const g = new OnnxGraph('face_recognition');
  const input = g.input('input', ['batch', RECOGNITION_INPUT, RECOGNITION_INPUT, 3]);
  let x = subMeanDiv255(g, nhwcToNchw(g, input), [122.782, 117.001, 104.298]);

  // conv + bias, then the learned per-channel scale (x * weights + biases), then optionally relu.
  const convLayer = (v: string, prefix: string, stride: number, withRelu: boolean, padding: 'same' | 'valid'): string => {
    let out = conv2d(g, v, w.get(`${prefix}/conv/filters`), { stride, padding, bias: w.get(`${prefix}/conv/bias`) });
    out = g.node('Mul', [out, channelConst(g, 'scale_w', w.get(`${prefix}/scale/weights`))]);
    out = g.node('Add', [out, channelConst(g, 'scale_b', w.get(`${prefix}/scale/biases`))]);
    return withRelu ? relu(g, out) : out;
  };

  const residual = (v: string, prefix: string): string => {
    const out = convLayer(convLayer(v, `${prefix}/conv1`, 1, true, 'same'), `${prefix}/conv2`, 1, false, 'same');
    return relu(g, add(g, out, v));
  };

  // Down-sampling block: the shortcut is a 2x2 average pool padded with zero channels; when the strided
  // 'valid' conv loses a row and column against the pool (8x8 -> 3x3 vs 4x4), face-api appends zeros to it.
  let size = 0;
  const residualDown = (v: string, prefix: string, channelsIn: number, channelsOut: number): string => {
    let out = convLayer(convLayer(v, `${prefix}/conv1`, 2, true, 'valid'), `${prefix}/conv2`, 1, false, 'same');
    const convSize = Math.floor((size - 3) / 2) + 1;
    const poolSize = Math.floor(size / 2);
    if (convSize !== poolSize) {
      const d = poolSize - convSize;
      out = g.node('Pad', [out, g.constInt64('pads', [0, 0, 0, 0, 0, 0, d, d])]);
    }
    let pooled = g.node('AveragePool', [v], { kernel_shape: [2, 2], strides: [2, 2] });
    if (channelsOut !== channelsIn) {
      pooled = g.node('Pad', [pooled, g.constInt64('pads', [0, 0, 0, 0, 0, channelsOut - channelsIn, 0, 0])]);
    }
    size = poolSize;
    return relu(g, add(g, pooled, out));
  };

  x = convLayer(x, 'conv32_down', 2, true, 'valid');
  x = g.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] });
  size = Math.floor((Math.floor((RECOGNITION_INPUT - 7) / 2) + 1 - 3) / 2) + 1;

  for (const b of ['conv32_1', 'conv32_2', 'conv32_3']) x = residual(x, b);
  x = residualDown(x, 'conv64_down', 32, 64);
  for (const b of ['conv64_1', 'conv64_2', 'conv64_3']) x = residual(x, b);
  x = residualDown(x, 'conv128_down', 64, 128);
  for (const b of ['conv128_1', 'conv128_2']) x = residual(x, b);
  x = residualDown(x, 'conv256_down', 128, 256);
  for (const b of ['conv256_1', 'conv256_2']) x = residual(x, b);
  x = residualDown(x, 'conv256_down_out', 256, 256);

  const avg = g.node('ReduceMean', [x], { axes: [2, 3], keepdims: 0 });
  const fc = w.get('fc');
  const out = g.node('MatMul', [avg, g.constFloat('fc', fc.data, fc.shape)]);
  g.output(out, 'descriptor', ['batch', 128]);
  return g;
}
