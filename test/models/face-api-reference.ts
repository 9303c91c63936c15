// face-api's own networks on TensorFlow.js with the wasm backend (works offline; tfjs-node does not install
// here): the reference our ONNX conversions are checked against.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- face-api's bundled types do not match the wasm build's runtime objects */
export interface FaceApiReference {
  tf: any;
  faceapi: any;
  /** An int32 [h, w, 3] tensor from packed RGB bytes, the way face-api's node demos feed images. */
  image(rgb: Uint8Array, width: number, height: number): any;
}

let loaded: Promise<FaceApiReference> | undefined;

export function loadFaceApi(): Promise<FaceApiReference> {
  loaded ??= (async () => {
    const tf = require('@tensorflow/tfjs');
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
    await tf.setBackend('wasm');
    await tf.ready();
    const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    await faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir);
    await faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir);
    await faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir);
    await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);
    return {
      tf,
      faceapi,
      image: (rgb, width, height) => tf.tensor3d(Int32Array.from(rgb), [height, width, 3], 'int32'),
    };
  })();
  return loaded;
}
