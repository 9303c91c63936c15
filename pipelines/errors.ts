// Every error a user can cause or a component can raise is one of these: a stable code, whether a retry
// may help, and the cause. Retry logic reads `retriable` and nothing else; the CLI prints `message` and exits.

export type ErrorCode =
  | 'TOPOLOGY_INVALID'
  | 'FILE_NOT_FOUND'
  | 'PLAN_INFEASIBLE'
  | 'BAD_ARGUMENT'
  | 'BROKER_UNREACHABLE'
  | 'BROKER_AUTH'
  /** Authenticated, but the ACLs do not allow it (least privilege): retrying cannot help. */
  | 'BROKER_AUTHZ'
  | 'TOPIC_INCOMPATIBLE'
  | 'BACKBONE_CLOSED'
  | 'RECORD_UNDECODABLE'
  | 'STATE_UNREADABLE'
  | 'MODEL_MISSING'
  | 'MODEL_CHECKSUM'
  | 'SOURCE_UNAVAILABLE'
  | 'IMAGE_UNREADABLE'
  | 'GALLERY_INVALID'
  | 'DEPLOY_STATE'
  | 'INTERNAL';

/** A problem located in a user's file: printed as `file:line:col: message`. */
export interface SourceProblem {
  file: string;
  line: number;
  col: number;
  /** YAML path such as `flows[2].inputs[0]`, for tools and tests. */
  path: string;
  message: string;
}

export class TierflowError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, opts: { retriable?: boolean; cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TierflowError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** A topology that does not validate or plan: carries every problem found, not just the first. */
export class TopologyError extends TierflowError {
  readonly problems: SourceProblem[];

  constructor(problems: SourceProblem[], code: ErrorCode = 'TOPOLOGY_INVALID') {
    super(code, problems.map(formatProblem).join('\n'), { exitCode: 2 });
    this.name = 'TopologyError';
    this.problems = problems;
  }
}

export function formatProblem(p: SourceProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** Codes no restart can fix: a person must change a credential, an ACL, a flag or a file first. A supervisor
 *  restarts a worker that ended with one of these (and `retriable: false`) never, instead of in a loop. */
export const NEEDS_OPERATOR: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BROKER_AUTH',
  'BROKER_AUTHZ',
  'BAD_ARGUMENT',
  'FILE_NOT_FOUND',
  'TOPOLOGY_INVALID',
  'TOPIC_INCOMPATIBLE',
  'MODEL_MISSING',
  'MODEL_CHECKSUM',
  'GALLERY_INVALID',
]);

export function isTierflowError(e: unknown): e is TierflowError {
  return e instanceof TierflowError;
}
