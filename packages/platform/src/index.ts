// The reference platform (issue 5): public surface for embedding and for tests.
export const PLATFORM_API_PREFIX = '/api/discovery';
export {
  buildApp,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  type AppOptions,
  type Platform,
} from './api/app.js';
export { main as platformMain } from './cli/main.js';
export { PlatformError, HTTP_ERROR_CODES, type HttpErrorCode } from './errors.js';
export { openStore, PlatformStore, type StoreLocation } from './store/platform-store.js';
export type { SqlDriver, SqlExecutor } from './store/driver.js';
export { createToken, hashToken, generateToken } from './tokens.js';
export { AgentHub, WS_PATH, COMMAND_TYPES } from './ws/hub.js';
export { WEB_UI_PREFIX, type WebUiPlugin } from './web/index.js';
export { PLATFORM_NAME, PLATFORM_VERSION, PROTOCOL_VERSION } from './version.js';
