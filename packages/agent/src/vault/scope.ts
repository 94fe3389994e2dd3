// Which addresses a credential may be tried on: its scope tokens compiled by discovery/targets.
import { isIP } from 'node:net';
import { compileTargetSet, parseTargets } from '../discovery/targets/index.js';

/** Decides whether a credential's scope covers a host. */
export interface ScopeMatcher {
  /** `hostnames` are the names known for the host (DNS, NetBIOS…); they match hostname tokens. */
  contains(address: string, hostnames?: readonly string[]): boolean;
}

/**
 * Throws ERR_TARGET_INVALID naming every bad token. Scopes are stored, so @file tokens are
 * refused: the file could change or vanish after the credential was added.
 */
export function validateScope(tokens: readonly string[]): void {
  parseTargets(tokens, { allowFiles: false });
}

/**
 * Compiles scope tokens; an empty scope matches every host. Hostname tokens match the host's
 * known names, not addresses: resolving names here would make a credential's reach depend on
 * DNS at the moment of the scan (docs/vault.md).
 */
export function compileScope(tokens: readonly string[]): ScopeMatcher {
  if (tokens.length === 0) return { contains: () => true };
  const set = compileTargetSet(parseTargets(tokens, { allowFiles: false }));
  return {
    contains(address, hostnames = []) {
      if (set.contains(address)) return true;
      const family = isIP(address) === 6 ? 6 : 4;
      return hostnames.some((hostname) => set.matches({ address, family, hostname }));
    },
  };
}
