import type { Owner } from './owner.js';

export interface Shape {
  readonly owner: Owner;
}
