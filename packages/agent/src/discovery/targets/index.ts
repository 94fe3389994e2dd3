// Public surface of target parsing, matching, counting and streaming expansion (docs/targets.md).
export {
  compareAddresses,
  formatAddress,
  formatIpv6,
  ipv4ToNumber,
  isIpv4,
  isIpv6,
  numberToIpv4,
  parseAddress,
  parseIpv6,
  type NumericAddress,
} from './address.js';
export { checkSize, countAddresses } from './count-addresses.js';
export {
  createDnsResolver,
  DEFAULT_DNS_TIMEOUT_MS,
  type LookupAll,
  type ResolvedAddress,
  type Resolver,
} from './dns-resolver.js';
export { expandTargets, type ExpandOptions } from './expand-targets.js';
export { parseTargets, parseTargetToken, type ParseTargetsOptions } from './parse-targets.js';
export {
  formatSpec,
  sweepInterval,
  TARGET_LIMITS,
  type AddressSpec,
  type CidrSpec,
  type HostnameSpec,
  type IntervalSpec,
  type RangeSpec,
  type TargetSpec,
} from './spec.js';
export { readTargetFile } from './target-file.js';
export {
  compileTargetSet,
  resolveSpecs,
  type ResolveSpecsOptions,
  type TargetSet,
} from './target-set.js';
