// The backbone a topology asks for: embedded in this process, or Kafka (loaded only when asked for, so an
// embedded run never loads the native client).
import type { BackboneSpec } from '../topology/schema.js';
import type { Backbone } from './contract.js';
import type { NodeCredential } from './index.js';
import { createEmbeddedBackbone } from './embedded/index.js';

export async function openBackbone(spec: BackboneSpec, env: NodeJS.ProcessEnv = process.env, credential?: NodeCredential): Promise<Backbone> {
  if (spec.type === 'embedded') return createEmbeddedBackbone();
  const { createBackbone } = await import('./index.js');
  return createBackbone(spec, env, credential);
}
