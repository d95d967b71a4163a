// Only types go round: nothing of this cycle is left at run time.
import type { Shape } from './shape.js';

export interface Owner {
  readonly shapes: readonly Shape[];
}
