// What the platform says about itself in `GET /api/discovery/agents/me`.
export const PLATFORM_NAME = 'nopesight-platform';
export const PLATFORM_VERSION = '0.1.0';
/** The protocol version of docs/protocol.md this platform speaks (the envelope's `v`). */
export const PROTOCOL_VERSION = 1;
