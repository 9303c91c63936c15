// `tierflow schemas [--stream s]`: the Avro schema of each stream as records travel on topics (newest version),
// for consumers outside tierflow. Records carry the version in a header (`<stream>/v<n>`), or the Confluent wire
// format's schema id when the topology names a schema registry. docs/schemas/ holds the same files (generated).
import type { Command } from 'commander';
import { TierflowError } from '../../errors.js';
import type { AnyStream } from '../../streams/stream.js';
import { streamsOf } from '../../streams/registry.js';
import { registry } from '../../registry.js';

export function streamAvsc(stream: AnyStream): string {
  return `${JSON.stringify(stream.versions[stream.versions.length - 1], null, 2)}\n`;
}

export function registerSchemas(program: Command): void {
  program
    .command('schemas')
    .description('print the Avro schema (.avsc) of each stream, as its records travel on topics')
    .option('--stream <name>', 'one stream only')
    .action((flags: { stream?: string }) => {
      const known = streamsOf(registry().operators);
      const names = [...known.keys()];
      if (flags.stream !== undefined && !known.has(flags.stream)) {
        throw new TierflowError('BAD_ARGUMENT', `--stream: unknown stream '${flags.stream}' (streams: ${names.join(', ')})`, { exitCode: 2 });
      }
      const streams = flags.stream ? [known.get(flags.stream)!] : [...known.values()];
      for (const s of streams) process.stdout.write(`${streams.length > 1 ? `// ${s.name}.avsc (header ${s.name}/v${s.versions.length})\n` : ''}${streamAvsc(s)}`);
    });
}
