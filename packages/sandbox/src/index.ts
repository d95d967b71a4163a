export * from './capabilities.js';
export * from './presets.js';
export * from './environment.js';
export * from './bubblewrap.js';
export * from './seatbelt.js';
export * from './launch.js';
export * from './violations.js';
export * from './runner.js';
