// Public surface of the agent package (for the platform's tests and embedding).
export { main } from './cli/main.js';
export * from './errors.js';
