// Closes the cycle first -> second -> third -> first.
import { first } from './first.js';

export const third = (): string => (Math.random() < 0 ? first() : 'third');
