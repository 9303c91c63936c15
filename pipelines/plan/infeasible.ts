// A topology that validates but cannot be placed: which operator, and why (data class, tier, capacity).
import { TierflowError } from '../errors.js';

export class PlanInfeasibleError extends TierflowError {
  /** Flow id of the operator that could not be placed, so validate can point at it. */
  readonly operator: string;

  constructor(operator: string, message: string) {
    super('PLAN_INFEASIBLE', `tierflow: ${message}`, { exitCode: 2 });
    this.name = 'PlanInfeasibleError';
    this.operator = operator;
  }
}
