// A small builder for ONNX graphs on top of onnx-proto's generated protobuf classes: nets add constants and
// nodes by name and get back the output name, so a net file reads like the face-api forward pass it mirrors.
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Opset 13: Pad/Slice/Unsqueeze take their parameters as inputs, ReduceMean takes axes as an attribute. */
export const OPSET = 13;

export type Dim = number | string;
/** An integer, integers, a string, or a float written `{ f }` (so 1.0 is not mistaken for an int). */
type AttrValue = number | number[] | string | { f: number } | { floats: number[] };

export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  /** A float32 graph input. */
  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return this.claim(name);
  }

  output(value: string, name: string, dims: Dim[]): void {
    this.node('Identity', [value], {}, name);
    this.outputs.push(valueInfo(name, dims));
  }

  constFloat(hint: string, data: Float32Array | number[], dims: number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    if (values.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`${hint}: ${values.length} values for dims ${dims.join('x')}`);
    const name = this.fresh(hint);
    this.initializers.push({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytesOf(values) });
    return name;
  }

  constInt64(hint: string, values: number[]): string {
    const name = this.fresh(hint);
    const raw = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: bytesOf(raw) });
    return name;
  }

  /** Adds one node with a single output and returns that output's name. */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputName?: string): string {
    const out = outputName ? this.claim(outputName) : this.fresh(op.toLowerCase());
    this.nodes.push({
      opType: op,
      name: `${op}_${this.nodes.length}`,
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  toBytes(docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'tierflow',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private fresh(hint: string): string {
    let name = `${hint}_${this.counter++}`;
    while (this.used.has(name)) name = `${hint}_${this.counter++}`;
    return this.claim(name);
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`duplicate graph value ${name}`);
    this.used.add(name);
    return name;
  }
}

function valueInfo(name: string, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === 'object') return 'f' in v ? { name, type: T.FLOAT, f: v.f } : { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.INT, i: v };
}

/** Little-endian bytes of a typed array (ONNX raw_data is always little-endian, as is every host we run on). */
function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}
