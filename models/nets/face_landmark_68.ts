// face-api's FaceLandmark68Net (the full net, not the tiny one) as ONNX. Input [N,112,112,3] NHWC RGB 0..255
// as face-api's toBatchTensor(112, centred) produces; output the raw [N,136] x0,y0,x1,y1... relative 0..1 to it.
import { OnnxGraph } from '../onnx-graph.js';
import type { TfWeights } from '../tfjs-weights.js';
import { add, conv2d, nhwcToNchw, relu, separableConv2d, subMeanDiv255 } from './tf-layers.js';

export const LANDMARK_INPUT = 112;

export function buildFaceLandmark68(w: TfWeights): OnnxGraph {
  const g = new OnnxGraph('face_landmark_68');
  const input = g.input('input', ['batch', LANDMARK_INPUT, LANDMARK_INPUT, 3]);
  let x = subMeanDiv255(g, nhwcToNchw(g, input), [122.782, 117.001, 104.298]);

  const sep = (v: string, prefix: string, stride: number): string =>
    separableConv2d(
      g,
      v,
      { depthwise: w.get(`${prefix}/depthwise_filter`), pointwise: w.get(`${prefix}/pointwise_filter`), bias: w.get(`${prefix}/bias`) },
      { stride, padding: 'same' },
    );

  // denseBlock4: every stage sees the sum of all earlier stages (a dense block with additive joins).
  const denseBlock4 = (v: string, prefix: string, isFirst: boolean): string => {
    const out1 = relu(
      g,
      isFirst
        ? conv2d(g, v, w.get(`${prefix}/conv0/filters`), { stride: 2, padding: 'same', bias: w.get(`${prefix}/conv0/bias`) })
        : sep(v, `${prefix}/conv0`, 2),
    );
    const out2 = sep(out1, `${prefix}/conv1`, 1);
    const in3 = relu(g, add(g, out1, out2));
    const out3 = sep(in3, `${prefix}/conv2`, 1);
    const in4 = relu(g, add(g, out1, add(g, out2, out3)));
    const out4 = sep(in4, `${prefix}/conv3`, 1);
    return relu(g, add(g, out1, add(g, out2, add(g, out3, out4))));
  };

  x = denseBlock4(x, 'dense0', true);
  x = denseBlock4(x, 'dense1', false);
  x = denseBlock4(x, 'dense2', false);
  x = denseBlock4(x, 'dense3', false);
  x = g.node('AveragePool', [x], { kernel_shape: [7, 7], strides: [2, 2] });
  x = g.node('Flatten', [x], { axis: 1 });

  const fcW = w.get('fc/weights');
  const fcB = w.get('fc/bias');
  const out = g.node('Add', [g.node('MatMul', [x, g.constFloat('fc_w', fcW.data, fcW.shape)]), g.constFloat('fc_b', fcB.data, fcB.shape)]);
  g.output(out, 'landmarks', ['batch', 136]);
  return g;
}
