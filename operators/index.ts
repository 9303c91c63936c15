// Every operator tierflow knows, listed explicitly: importing an operator registers nothing by itself.
import type { AnyOperatorDefinition } from '../pipelines/operator.js';
import decode from './decode/index.js';
import detect from './detect/index.js';
import embed from './embed/index.js';
import match from './match/index.js';
import aggregate from './aggregate/index.js';
import results from './results/index.js';
import stdout from './stdout/index.js';
import mqtt from './mqtt/index.js';
import mqttEvents from './mqtt-events/index.js';
import { faceExtension } from './vision/extension.js';

export const OPERATORS: readonly AnyOperatorDefinition[] = [decode, detect, embed, match, aggregate, results, stdout, mqtt, mqttEvents];

/** Finds `name@version`, or undefined. */
export function findOperator(name: string, version: number): AnyOperatorDefinition | undefined {
  return OPERATORS.find((op) => op.name === name && op.version === version);
}

/** The face commands and the dashboard's view of a face flow (pipelines/extension.ts). */
export const extension = faceExtension(new Set([decode, detect, embed, match, aggregate].map((o) => `${o.name}@${o.version}`)));

/** What the engine's registry loads (package.json `tierflow.operators` names this module). */
export default OPERATORS;
