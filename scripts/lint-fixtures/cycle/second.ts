import { third } from './third.js';

export const second = (): string => `second, then ${third()}`;
