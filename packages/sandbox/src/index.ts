export * from './capabilities.js';
export * from './presets.js';
export * from './environment.js';
export * from './bubblewrap.js';
export * from './seatbelt.js';
