// Sweep-wide SNMP liveness probe: one UDP socket per family, a GET of sysDescr.0 per community
// and one unauthenticated SNMPv3 engine discovery per host.
import type { SnmpV3EngineFacts } from '@nopesight/model';
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { ScannerError } from '../../errors.js';
import { parseEngineId } from '../../transports/snmp-ber/engine-id.js';
import {
  MAX_MESSAGE_BYTES,
  OID_SYS_DESCR,
  PDU,
  decodeMessage,
  displayString,
  encodeGetRequest,
  messageVersion,
  type SnmpVersion,
} from '../../transports/snmp-ber/snmp-message.js';
import {
  SNMP_V3,
  decodeV3Message,
  encodeV3DiscoveryRequest,
  type UsmParameters,
} from '../../transports/snmp-ber/snmp-v3.js';
import type { ProbeContext } from '../types.js';

/**
 * What answered. `community`, `sysDescr` and `version` come together, when a community's GET was
 * answered; `snmpV3` when the engine discovery got a Report. At least one of the two is set.
 */
export interface SnmpProbeResult {
  community?: string;
  /** sysDescr.0 as text; '' when the agent answered with an error or exception instead. */
  sysDescr?: string;
  version?: '2c' | '1';
  snmpV3?: SnmpV3EngineFacts;
}

export interface SnmpProbeOptions {
  /**
   * Re-sends of the same requests (same request-ids) when nothing answered; the attempts are
   * spread evenly over the probe's `timeoutMs`. Default 1.
   */
  retries?: number;
  /**
   * Also try SNMPv1 after SNMPv2c got no answer at all (then each version gets half of
   * `timeoutMs`). Default false: a sweep sends exactly one v2c GET of sysDescr.0 per community
   * per attempt and nothing else.
   */
  v1Fallback?: boolean;
  /** Destination UDP port. Default 161 (tests use a high loopback port). */
  port?: number;
  /** Local addresses to bind the two sockets to. Default 0.0.0.0 and ::. */
  bindAddress4?: string;
  bindAddress6?: string;
  /** Most requests in flight across all probes (each community of each host is one). */
  maxOutstanding?: number;
  /** Most communities tried per probe. Default 16. */
  maxCommunities?: number;
  /**
   * Also send one SNMPv3 engine discovery (RFC 3414 §4) per probe, with the first burst and its
   * retries. Default true: it finds v3-only agents, and it carries no credential.
   */
  v3Discovery?: boolean;
  /**
   * Once the agent answered one kind of request (a community's GET or the engine discovery), how
   * long the other kind still gets (ms, never past the current phase's share of `timeoutMs`):
   * then the probe resolves with what it has, or after a Report alone moves on to the v1 phase.
   * Default 250. Both kinds go out in the same burst, so an agent that answers one answers the
   * other within about one RTT; the answer also proves the path, so the rest of the retries
   * would only wait for a reply that is not coming. It also makes the probe end well before a
   * caller's abort at `timeoutMs`, which would otherwise drop an answer already in hand.
   */
  answerGraceMs?: number;
}

/** Counters for tests and the sweep's statistics. */
export interface SnmpProbeStats {
  sent: number;
  sendErrors: number;
  received: number;
  /** Well-formed datagrams that matched no request (unknown id, wrong source, community, version). */
  ignored: number;
  malformed: number;
  outstanding: number;
}

const MAX_REQUEST_ID = 0x7fffffff;

/**
 * The request-id after `last`, in 1..2^31-1, wrapping to 1, skipping ids still in use. At most
 * `inUseCount + 1` candidates are tried, so the loop is bounded even when the map is large.
 */
export function nextRequestId(
  last: number,
  inUse: (id: number) => boolean,
  inUseCount: number,
): number {
  let id = last;
  for (let i = 0; i <= inUseCount; i++) {
    id = id >= MAX_REQUEST_ID || id < 1 ? 1 : id + 1;
    if (!inUse(id)) return id;
  }
  throw new ScannerError('ERR_CONFIG_INVALID', 'no free SNMP request-id');
}

/** Canonical text of an address, so '::FFFF:1' style spellings compare equal to rinfo's. */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

type Request =
  | {
      kind: 'community';
      address: string;
      community: string;
      version: SnmpVersion;
      probe: ProbeState;
    }
  | { kind: 'v3'; address: string; probe: ProbeState };

interface ProbeState {
  ids: number[];
  /** The first community that answered. */
  hit: { community: string; sysDescr: string; version: SnmpVersion } | null;
  /** The engine from the discovery's Report. */
  v3: SnmpV3EngineFacts | null;
  onHit: () => void;
  onV3: () => void;
  /** Resolves with what answered (null when nothing did), or rejects with `err`. */
  finish: (err?: ScannerError) => void;
}

/** The probe result's v3 facts from a Report's USM parameters. */
export function engineFacts(usm: UsmParameters): SnmpV3EngineFacts {
  const id = parseEngineId(usm.engineId);
  return {
    engineId: id.hex,
    engineIdFormat: id.format,
    ...(id.enterpriseNumber !== undefined ? { enterpriseNumber: id.enterpriseNumber } : {}),
    ...(id.value !== undefined ? { engineIdValue: id.value } : {}),
    engineBoots: usm.engineBoots,
    engineTime: usm.engineTime,
  };
}

/**
 * Probes many hosts at once over two shared sockets. Replies are matched by request-id, source
 * address and port, community and version; v3 Reports by msgID, source address and port;
 * everything else is counted and dropped.
 *
 * @example
 * const snmp = new SnmpProbe({ retries: 1 });
 * const hit = await snmp.probe('198.18.0.20', ['public', 'lab-public'], { signal, timeoutMs: 2000 });
 * snmp.close();
 */
export class SnmpProbe {
  readonly #opts: Required<Omit<SnmpProbeOptions, 'bindAddress4' | 'bindAddress6'>> &
    Pick<SnmpProbeOptions, 'bindAddress4' | 'bindAddress6'>;
  readonly #requests = new Map<number, Request>();
  readonly #sockets = new Map<4 | 6, Promise<Socket>>();
  readonly #probes = new Set<ProbeState>();
  #lastId = randomInt(1, MAX_REQUEST_ID);
  #closed = false;
  readonly #stats = { sent: 0, sendErrors: 0, received: 0, ignored: 0, malformed: 0 };

  constructor(options: SnmpProbeOptions = {}) {
    this.#opts = {
      retries: options.retries ?? 1,
      v1Fallback: options.v1Fallback ?? false,
      port: options.port ?? 161,
      maxOutstanding: options.maxOutstanding ?? 200_000,
      maxCommunities: options.maxCommunities ?? 16,
      v3Discovery: options.v3Discovery ?? true,
      answerGraceMs: options.answerGraceMs ?? 250,
      bindAddress4: options.bindAddress4,
      bindAddress6: options.bindAddress6,
    };
    if (
      !Number.isInteger(this.#opts.retries) ||
      this.#opts.retries < 0 ||
      this.#opts.retries > 10
    ) {
      throw new ScannerError('ERR_CONFIG_INVALID', 'SNMP probe retries must be 0..10');
    }
  }

  stats(): SnmpProbeStats {
    return { ...this.#stats, outstanding: this.#requests.size };
  }

  /**
   * Sends one GET of sysDescr.0 per community (v2c; v1 afterwards when `v1Fallback`) and, with
   * the first burst, one SNMPv3 engine discovery. Resolves as soon as both kinds answered (at
   * once when there are no communities), `answerGraceMs` after the first kind when the other
   * stays silent, or with null when nothing answered within `ctx.timeoutMs`. Rejects with
   * ERR_ABORTED when `ctx.signal` aborts or the probe is closed.
   */
  async probe(
    address: string,
    communities: string[],
    ctx: ProbeContext,
  ): Promise<SnmpProbeResult | null> {
    this.#checkOpen(address, ctx.signal);
    const family = isIP(address);
    if (family !== 4 && family !== 6) {
      throw new ScannerError('ERR_TARGET_INVALID', `not an IP address: ${address}`);
    }
    const unique = [...new Set(communities)];
    const v3 = this.#opts.v3Discovery;
    if (unique.length === 0 && !v3) return null;
    if (unique.length > this.#opts.maxCommunities) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `more than ${this.#opts.maxCommunities} SNMP communities`,
      );
    }
    const socket = await this.#socket(family);
    // close() or an abort may have come while the socket was being bound.
    this.#checkOpen(address, ctx.signal);
    const versions: SnmpVersion[] =
      this.#opts.v1Fallback && unique.length > 0 ? ['2c', '1'] : ['2c'];
    const phaseMs = ctx.timeoutMs / versions.length;
    const target = canonicalAddress(address);

    return new Promise<SnmpProbeResult | null>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let v3Packet: Buffer | null = null;
      let phase = 0;
      let phaseEnd = performance.now() + phaseMs;
      // One kind answered: stop re-sending, give the other kind a short grace, then `next`.
      const afterGrace = (next: () => void): void => {
        clearTimeout(timer);
        const left = Math.max(0, phaseEnd - performance.now());
        timer = setTimeout(next, Math.min(this.#opts.answerGraceMs, left));
      };
      const state: ProbeState = {
        ids: [],
        hit: null,
        v3: null,
        onHit: () => {
          if (!v3Packet || state.v3) return state.finish();
          afterGrace(() => state.finish());
        },
        onV3: () => {
          if (state.hit || unique.length === 0) return state.finish();
          // The communities of this phase had their chance; the v1 phase (if any) still runs.
          afterGrace(() => step(phase + 1, 0));
        },
        finish: (err) => {
          if (!this.#probes.delete(state)) return;
          clearTimeout(timer);
          ctx.signal.removeEventListener('abort', onAbort);
          for (const id of state.ids) this.#requests.delete(id);
          state.ids = [];
          if (err) return reject(err);
          const result: SnmpProbeResult = { ...state.hit };
          if (state.v3) result.snmpV3 = state.v3;
          resolve(state.hit || state.v3 ? result : null);
        },
      };
      const onAbort = (): void =>
        state.finish(
          new ScannerError('ERR_ABORTED', `SNMP probe of ${address} aborted`, {
            cause: ctx.signal.reason,
          }),
        );
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.#probes.add(state);

      // Phase v (a version), attempt a: (re)send that version's packets, then wait one slot.
      const attempts = this.#opts.retries + 1;
      let packets: Buffer[] = [];
      const step = (v: number, a: number): void => {
        if (!this.#probes.has(state)) return;
        if (v >= versions.length) return state.finish();
        if (a === 0) {
          phase = v;
          phaseEnd = performance.now() + phaseMs;
          try {
            packets = this.#register(target, unique, versions[v]!, state);
            if (v === 0 && v3) v3Packet = this.#registerV3(target, state);
          } catch (err) {
            return state.finish(err as ScannerError);
          }
        }
        if (a >= attempts) return step(v + 1, 0);
        // The discovery first: an agent that serves requests in order then answers it first.
        if (v3Packet && !state.v3) this.#send(socket, v3Packet, address);
        for (const packet of packets) this.#send(socket, packet, address);
        timer = setTimeout(() => step(v, a + 1), phaseMs / attempts);
      };
      step(0, 0);
    });
  }

  /** Closes both sockets; probes still waiting reject with ERR_ABORTED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const state of [...this.#probes]) {
      state.finish(new ScannerError('ERR_ABORTED', 'SNMP probe closed'));
    }
    for (const pending of this.#sockets.values()) {
      pending.then(
        (s) => s.close(),
        () => undefined,
      );
    }
    this.#sockets.clear();
  }

  #checkOpen(address: string, signal: AbortSignal): void {
    if (this.#closed) throw new ScannerError('ERR_ABORTED', 'SNMP probe is closed');
    if (signal.aborted) {
      throw new ScannerError('ERR_ABORTED', `SNMP probe of ${address} aborted`, {
        cause: signal.reason,
      });
    }
  }

  #register(
    address: string,
    communities: string[],
    version: SnmpVersion,
    state: ProbeState,
  ): Buffer[] {
    if (this.#requests.size + communities.length > this.#opts.maxOutstanding) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `more than ${this.#opts.maxOutstanding} SNMP requests outstanding; lower the sweep's concurrency`,
      );
    }
    return communities.map((community) => {
      const id = this.#allocate({ kind: 'community', address, community, version, probe: state });
      return encodeGetRequest({ version, community, requestId: id, oids: [OID_SYS_DESCR] });
    });
  }

  /** Registers the engine discovery; its msgID and request-id share the request-id space. */
  #registerV3(address: string, state: ProbeState): Buffer {
    if (this.#requests.size + 1 > this.#opts.maxOutstanding) {
      throw new ScannerError(
        'ERR_CONFIG_INVALID',
        `more than ${this.#opts.maxOutstanding} SNMP requests outstanding; lower the sweep's concurrency`,
      );
    }
    const id = this.#allocate({ kind: 'v3', address, probe: state });
    return encodeV3DiscoveryRequest({ msgId: id, requestId: id });
  }

  #allocate(req: Request): number {
    const id = nextRequestId(this.#lastId, (i) => this.#requests.has(i), this.#requests.size);
    this.#lastId = id;
    this.#requests.set(id, req);
    req.probe.ids.push(id);
    return id;
  }

  #send(socket: Socket, packet: Buffer, address: string): void {
    this.#stats.sent++;
    try {
      socket.send(packet, this.#opts.port, address, (err) => {
        if (err) this.#stats.sendErrors++;
      });
    } catch {
      // The socket was closed under us (close() during a retry tick): nothing to send.
      this.#stats.sendErrors++;
    }
  }

  #socket(family: 4 | 6): Promise<Socket> {
    let pending = this.#sockets.get(family);
    if (!pending) {
      pending = new Promise<Socket>((resolve, reject) => {
        const socket = createSocket({
          type: family === 4 ? 'udp4' : 'udp6',
          recvBufferSize: 4 << 20,
        });
        socket.once('error', reject);
        socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
        socket.bind(0, family === 4 ? this.#opts.bindAddress4 : this.#opts.bindAddress6, () => {
          socket.off('error', reject);
          // Errors after bind (e.g. ICMP-driven) must not crash the process; sends count them.
          socket.on('error', () => this.#stats.sendErrors++);
          socket.unref();
          resolve(socket);
        });
      });
      pending = pending.catch((err: NodeJS.ErrnoException) => {
        this.#sockets.delete(family);
        const unsupported = err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL';
        throw new ScannerError(
          unsupported ? 'ERR_NOT_SUPPORTED' : 'ERR_IO',
          `SNMP probe: cannot bind a udp${family} socket: ${err.message}`,
          { cause: err },
        );
      });
      this.#sockets.set(family, pending);
    }
    return pending;
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    this.#stats.received++;
    if (msg.length > MAX_MESSAGE_BYTES) {
      this.#stats.malformed++;
      return;
    }
    try {
      if (messageVersion(msg) === SNMP_V3) this.#onV3Message(msg, rinfo);
      else this.#onCommunityMessage(msg, rinfo);
    } catch {
      // Every decoder failure is ERR_PROTOCOL; whatever it is, a datagram never breaks the probe.
      this.#stats.malformed++;
    }
  }

  #fromTarget(req: Request, rinfo: RemoteInfo): boolean {
    return rinfo.port === this.#opts.port && canonicalAddress(rinfo.address) === req.address;
  }

  #onCommunityMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const res = decodeMessage(msg);
    const req = this.#requests.get(res.requestId);
    if (
      req?.kind !== 'community' ||
      req.probe.hit ||
      res.pduType !== PDU.response ||
      !this.#fromTarget(req, rinfo) ||
      res.community !== req.community ||
      res.version !== req.version
    ) {
      this.#stats.ignored++;
      return;
    }
    const vb = res.varbinds[0];
    const sysDescr =
      res.errorStatus === 0 && vb?.oid === OID_SYS_DESCR ? (displayString(vb) ?? '') : '';
    req.probe.hit = { community: req.community, sysDescr, version: req.version };
    req.probe.onHit();
  }

  /**
   * A Report to the engine discovery, matched by msgID (RFC 3412 §7.2 step 13): some agents
   * (pysnmp) put request-id 0 in Reports, so the request-id is not checked.
   */
  #onV3Message(msg: Buffer, rinfo: RemoteInfo): void {
    const res = decodeV3Message(msg);
    const req = this.#requests.get(res.msgId);
    if (
      req?.kind !== 'v3' ||
      req.probe.v3 ||
      res.scoped?.pdu.pduType !== PDU.report ||
      res.usm.engineId.length === 0 ||
      !this.#fromTarget(req, rinfo)
    ) {
      this.#stats.ignored++;
      return;
    }
    req.probe.v3 = engineFacts(res.usm);
    req.probe.onV3();
  }
}
