// NetBIOS node-status fingerprint: one NBSTAT query on UDP 137, the names and MAC it returns.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { DiscoveryFacts } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import {
  buildNodeStatusRequest,
  parseNodeStatusResponse,
  type NodeStatusResponse,
} from '../../transports/netbios/nbns.js';
import type { ProbeContext } from '../types.js';

/** The host record's `discovery.netbios`. */
export type NetbiosFacts = NonNullable<DiscoveryFacts['netbios']>;

export interface NetbiosQueryOptions {
  /** Destination port. Default 137 (tests use a high loopback port). */
  port?: number;
  /** Re-sends of the same query (same transaction id), spread over `timeoutMs`. Default 1. */
  retries?: number;
  /** Most datagrams read before giving up on a noisy peer. Default 64. */
  maxDatagrams?: number;
}

/**
 * Sends an NBSTAT query for '*' to `address` and resolves with the full node-status answer.
 * Only a reply from address:port with the query's transaction id counts; others are dropped.
 * Rejects ERR_TIMEOUT (no answer within ctx.timeoutMs), ERR_ABORTED, ERR_NOT_SUPPORTED (IPv6),
 * ERR_PROTOCOL (a matching reply that is malformed).
 */
export function queryNodeStatus(
  address: string,
  ctx: ProbeContext,
  o: NetbiosQueryOptions = {},
): Promise<NodeStatusResponse> {
  if (isIP(address) !== 4) {
    return Promise.reject(
      new ScannerError(
        'ERR_NOT_SUPPORTED',
        `NetBIOS name service needs an IPv4 address: ${address}`,
      ),
    );
  }
  const port = o.port ?? 137;
  const attempts = (o.retries ?? 1) + 1;
  const maxDatagrams = o.maxDatagrams ?? 64;
  const transactionId = randomInt(0, 0x10000);
  const query = buildNodeStatusRequest(transactionId);
  return new Promise<NodeStatusResponse>((resolve, reject) => {
    const socket = createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    let seen = 0;
    let done = false;
    const finish = (err: Error | null, value?: NodeStatusResponse): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket.close();
      if (err) reject(err);
      else resolve(value!);
    };
    const onAbort = (): void =>
      finish(
        new ScannerError('ERR_ABORTED', `netbios ${address}: node status aborted`, {
          cause: ctx.signal.reason,
        }),
      );
    if (ctx.signal.aborted) {
      socket.close();
      return reject(
        new ScannerError('ERR_ABORTED', `netbios ${address}: node status aborted`, {
          cause: ctx.signal.reason,
        }),
      );
    }
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) =>
      finish(
        new ScannerError('ERR_UNREACHABLE', `netbios ${address}: ${err.message}`, { cause: err }),
      ),
    );
    socket.on('message', (msg, rinfo) => {
      if (++seen > maxDatagrams) {
        return finish(
          new ScannerError(
            'ERR_PROTOCOL',
            `netbios ${address}: more than ${maxDatagrams} stray datagrams`,
          ),
        );
      }
      if (
        rinfo.address !== address ||
        rinfo.port !== port ||
        msg.length < 2 ||
        msg.readUInt16BE(0) !== transactionId
      )
        return;
      try {
        finish(null, parseNodeStatusResponse(msg));
      } catch (err) {
        // A reply that claims to be ours but does not parse: a broken or hostile peer.
        finish(err as Error);
      }
    });
    const send = (attempt: number): void => {
      if (done) return;
      if (attempt >= attempts) {
        return finish(
          new ScannerError(
            'ERR_TIMEOUT',
            `netbios ${address}: node status got no reply within ${ctx.timeoutMs} ms`,
          ),
        );
      }
      socket.send(query, port, address);
      timer = setTimeout(() => send(attempt + 1), ctx.timeoutMs / attempts);
    };
    socket.bind(0, () => send(0));
  });
}

/** The NetBIOS names and MAC of `address` in the host record's shape (MAC omitted when zero). */
export async function queryNetbiosNames(
  address: string,
  ctx: ProbeContext,
  o: NetbiosQueryOptions = {},
): Promise<NetbiosFacts> {
  const status = await queryNodeStatus(address, ctx, o);
  return {
    names: status.names.map(({ name, suffix, group }) => ({ name, suffix, group })),
    ...(status.mac ? { mac: status.mac } : {}),
  };
}
