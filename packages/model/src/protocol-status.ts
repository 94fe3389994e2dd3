// The platform's seven protocol statuses and the protocols the agent speaks.

/** Outcome of one protocol attempt on one host, as the platform understands it. */
export const PROTOCOL_STATUSES = [
  'success',
  'failed',
  'timeout',
  'unauthorized',
  'unreachable',
  'no_access',
  'rpc_error',
] as const;
export type ProtocolStatus = (typeof PROTOCOL_STATUSES)[number];

/** Inventory protocols a host can be collected over. */
export const PROTOCOLS = ['ssh', 'windows', 'winrm', 'snmp', 'vcenter'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** Credential kinds stored in the vault (winrm uses `windows` credentials). */
export const CREDENTIAL_KINDS = ['windows', 'ssh', 'snmp', 'vcenter'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The credential kind a protocol authenticates with. */
export function credentialKindFor(protocol: Protocol): CredentialKind {
  return protocol === 'winrm' ? 'windows' : protocol;
}
