// A stand-in for a Confluent schema registry: the two endpoints tierflow and a Confluent deserializer call (register a
// schema under a subject, fetch a schema by id), in memory. No real registry runs here: Apicurio Registry's app on
// Maven Central (io.apicurio:apicurio-registry-app 3.3.3) depends on apicurio-registry-schema-util-provider 3.3.3,
// which Central does not serve here (404), and 3.0.9's parent POM is not served either; Confluent's own registry is
// not on Maven Central; Karapace is not on PyPI. Registry-side rules (compatibility checks) are not exercised.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class RegistryStandIn {
  /** Registered schemas by id, as the registry keeps them (the JSON text it was given). */
  readonly schemas = new Map<number, string>();
  /** Subjects registered, in order (a subject per topic: `<topic>-value`). */
  readonly subjects: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<RegistryStandIn> {
    let self: RegistryStandIn | null = null;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
        const subject = /^\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
        if (req.method === 'POST' && subject) {
          const schema = (JSON.parse(body) as { schema: string }).schema;
          const id = [...self!.schemas].find(([, s]) => s === schema)?.[0] ?? self!.schemas.size + 1;
          self!.schemas.set(id, schema);
          self!.subjects.push(decodeURIComponent(subject[1]!));
          res.end(JSON.stringify({ id }));
        } else if (req.method === 'GET' && /^\/schemas\/ids\/\d+/.test(req.url ?? '')) {
          const schema = self!.schemas.get(Number(/\d+/.exec(req.url!)![0]));
          if (schema === undefined) res.writeHead(404).end('{"error_code":40403,"message":"Schema not found"}');
          else res.end(JSON.stringify({ schema }));
        } else res.writeHead(404).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new RegistryStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
