// The embedded default configuration: a scan works with no config.json at all (docs/data-dir.md).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevel[];

/** A named set of ports to sweep (`scan --profile wide`). */
export interface PortProfile {
  tcp: number[];
  udp: number[];
}

export interface ScanConfig {
  /** TCP ports swept when no profile or port list is given. */
  tcpPorts: number[];
  /** UDP ports probed with a protocol payload (161 = SNMP get of sysDescr). */
  udpPorts: number[];
  profiles: Record<string, PortProfile>;
  /** Connection attempts open at once across the whole scan (bounded by file descriptors). */
  maxInFlight: number;
  /** Hosts being swept or collected at once. */
  hostConcurrency: number;
  /** New probes per second; 0 = no rate limit (maxInFlight and timeouts pace the sweep). */
  rateLimitPps: number;
  /** Adaptive connect timeout: starts at `initial`, follows measured RTT within [min, max]. */
  connectTimeoutMs: { initial: number; min: number; max: number };
  /** Extra attempts for a probe that timed out (never for one that was refused). */
  retries: number;
  /** Communities the unauthenticated UDP/161 probe tries, in order. */
  snmpCommunities: string[];
  /** Use ICMP echo for liveness when the process is allowed to (root / CAP_NET_RAW / ping group). */
  icmp: boolean;
  /** Time allowed to read a banner, TLS certificate, SMB negotiate or vSphere `about`. */
  fingerprintTimeoutMs: number;
  /** Rejected logins per account in one scan before the account is skipped (lockout guard). */
  maxFailedLoginsPerAccount: number;
}

export interface LoggingConfig {
  level: LogLevel;
  /** A log file is rotated when the next line would take it past this size. */
  maxBytes: number;
  /** Rotated files kept per log (agent.log.1 … agent.log.N); older ones are deleted. */
  maxFiles: number;
}

/** How long DATA_DIR/results/<scan id>.json documents are kept (cleaned after each scan). */
export interface ResultsConfig {
  /** A result older than this many days is deleted; 0 = no age limit. */
  maxAgeDays: number;
  /** The oldest results are deleted until all together take at most this many bytes. */
  maxTotalBytes: number;
}

/** The agent's configuration: the defaults below merged with config.json. */
export interface Config {
  scan: ScanConfig;
  logging: LoggingConfig;
  results: ResultsConfig;
}

/** Ports with an inventory collector behind them: SSH, RPC/SMB (Windows), HTTPS (vCenter), WinRM. */
const DEFAULT_TCP = [22, 135, 139, 443, 445, 5985, 5986];

/**
 * Common infrastructure services, for finding what a network holds rather than only what can
 * be inventoried. Grouped so a reader can check why each port is there (docs/data-dir.md).
 */
const WIDE_TCP = [
  // remote access and management
  21, 22, 23, 135, 139, 445, 3389, 5900, 5985, 5986,
  // mail
  25, 110, 143, 465, 587, 993, 995,
  // directory, name and time services
  53, 88, 389, 464, 636, 3268, 3269,
  // web and admin consoles (vCenter, iLO/iDRAC, appliances)
  80, 443, 8000, 8080, 8443, 9443,
  // databases and search
  1433, 1521, 3306, 5432, 6379, 9200, 27017,
  // file and storage
  111, 2049, 3260,
  // printing
  515, 631, 9100,
  // hypervisors and containers (ESXi auth daemon, Docker, Kubernetes API, kubelet)
  902, 2375, 2376, 6443, 10250,
  // routers (BGP speakers are network devices)
  179,
].sort((a, b) => a - b);

/** A fresh copy of the defaults: callers may mutate what they get (no shared mutable state). */
export function defaultConfig(): Config {
  return {
    scan: {
      tcpPorts: [...DEFAULT_TCP],
      udpPorts: [161],
      profiles: {
        default: { tcp: [...DEFAULT_TCP], udp: [161] },
        wide: { tcp: [...WIDE_TCP], udp: [161] },
      },
      maxInFlight: 2000,
      hostConcurrency: 512,
      rateLimitPps: 0,
      connectTimeoutMs: { initial: 1000, min: 100, max: 3000 },
      retries: 1,
      snmpCommunities: ['public'],
      icmp: true,
      fingerprintTimeoutMs: 3000,
      maxFailedLoginsPerAccount: 3,
    },
    logging: {
      level: 'info',
      maxBytes: 20 * 1024 * 1024,
      maxFiles: 5,
    },
    results: {
      maxAgeDays: 30,
      maxTotalBytes: 1024 * 1024 * 1024,
    },
  };
}
