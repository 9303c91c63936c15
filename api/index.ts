// tierflow's public API for operators of your own: `import { defineOperator, Type, READINGS } from 'tierflow'`.
// An operator module's default export is a definition; a topology uses it as `uses: ./path/to/it@<version>`
// (docs/writing-an-operator.md). Everything here is what the built-in operators are written with.
export { Type, type Static, type TSchema } from '@sinclair/typebox';
export {
  defineOperator,
  type OperatorDefinition,
  type AnyOperatorDefinition,
  type OperatorContext,
  type OperatorInstance,
  type SourceInstance,
  type TransformInstance,
  type SinkInstance,
  type Emit,
  type StateStore,
  type StateDeclaration,
  type ConfigCheck,
  type ResourceNeeds,
} from '../pipelines/operator.js';
export { defineStream, type StreamDefinition, type AnyStream, type RecordOf, type Captured } from '../pipelines/streams/stream.js';
export { TierflowError } from '../pipelines/errors.js';
// Streams of the built-in operators that flows of your own may read.
export { READINGS, type Reading } from '../operators/mqtt/stream.js';
export { EVENTS } from '../operators/streams/index.js';
export type { SightingEvent } from '../operators/streams/records.js';
// A sink that publishes any stream to MQTT.
export { mqttPublisher } from '../operators/mqtt/publish.js';
// What a module may add besides operators (its named export `extension`): CLI commands, a dashboard feed.
export type { ModuleExtension } from '../pipelines/extension.js';
export { EnrolRefused, type LiveFeed, type CameraLive, type ClusterLive, type SightingLive, type LabelledBox, type EnrolRequest } from '../pipelines/dashboard/feed.js';
// Operators and flows tested in-process, without a backbone.
export { testOperator, testFlow, testConfig, type TestStage, type TestOptions, type TestResult } from '../pipelines/testing.js';
