// Public surface of the model package: types and pure helpers shared by agent and platform.
export * from './protocol-status.js';
export * from './host-record.js';
export * from './scan.js';
