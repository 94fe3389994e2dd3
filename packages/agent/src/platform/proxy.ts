// HTTPS_PROXY / NO_PROXY for the platform link (docs/protocol.md). Node 20's http stack has no
// proxy support, so HTTPS goes through an HTTP CONNECT tunnel opened here; TLS then runs inside
// the tunnel end to end with the platform, so the proxy sees neither the token nor the data.
import { BlockList, connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ScannerError } from '../errors.js';

/** The most a proxy may send before the blank line ending its CONNECT answer. */
const MAX_HEADER_BYTES = 16 * 1024;

/** Reads `HTTPS_PROXY` (or `https_proxy`, which wins as in curl) unless NO_PROXY covers the host. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | null {
  if (target.protocol !== 'https:' && target.protocol !== 'wss:') return null;
  const raw = env.https_proxy || env.HTTPS_PROXY;
  if (!raw) return null;
  const port = Number(target.port || 443);
  if (noProxyCovers(target.hostname, port, env.no_proxy ?? env.NO_PROXY ?? '')) return null;
  let proxy: URL;
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new ScannerError('ERR_CONFIG_INVALID', 'HTTPS_PROXY is not a URL (http://host:port)');
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new ScannerError(
      'ERR_CONFIG_INVALID',
      `HTTPS_PROXY must be an http:// or https:// proxy, got ${proxy.protocol}//`,
    );
  }
  return proxy;
}

/**
 * NO_PROXY as curl reads it: comma- or space-separated entries; `*` is everything; a name
 * matches itself and its subdomains (a leading `.` or `*.` is ignored); an IP or CIDR matches
 * addresses; `entry:port` only that port.
 */
export function noProxyCovers(hostname: string, port: number, noProxy: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (raw === '*') return true;
    const { name, port: only } = splitPort(raw.toLowerCase());
    if (only !== null && only !== port) continue;
    const entry = name.replace(/^\*?\./, '');
    if (host === entry || host.endsWith(`.${entry}`) || coversAddress(entry, host)) return true;
  }
  return false;
}

/** `name`, `name:port`, `[v6]`, `[v6]:port`; a bare IPv6 address (many colons) has no port. */
function splitPort(entry: string): { name: string; port: number | null } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) return { name: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : null };
  const parts = entry.split(':');
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) {
    return { name: parts[0]!, port: Number(parts[1]) };
  }
  return { name: entry, port: null };
}

function coversAddress(entry: string, host: string): boolean {
  const family = isIP(host);
  if (family === 0) return false;
  const [base, bits] = entry.split('/');
  const baseFamily = isIP(base ?? '');
  if (baseFamily !== family) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
  if (!/^\d{1,3}$/.test(String(prefix)) || prefix > (family === 4 ? 32 : 128)) return false;
  const list = new BlockList();
  list.addSubnet(base!, prefix, type);
  return list.check(host, type);
}

/** The proxy as it may be shown: scheme, host and port, never its user or password. */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * Opens a CONNECT tunnel through `proxy` to `host:port` and resolves with the raw socket once
 * the proxy answered 200. Credentials in the proxy URL go as Basic Proxy-Authorization.
 */
export function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  opts: { timeoutMs: number; ca?: string | undefined },
): Promise<Socket> {
  const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const where = `${describeProxy(proxy)} to ${host}:${port}`;
  return new Promise((resolve, reject) => {
    const socket: Socket =
      proxy.protocol === 'https:'
        ? tlsConnect({ host: proxy.hostname, port: proxyPort, servername: proxy.hostname })
        : netConnect({ host: proxy.hostname, port: proxyPort });
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: ScannerError) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onError = (err: Error) =>
      fail(
        new ScannerError('ERR_UNREACHABLE', `proxy ${where}: ${err.message}`, {
          cause: err,
        }),
      );
    const onTimeout = () =>
      fail(
        new ScannerError('ERR_TIMEOUT', `proxy ${where}: no tunnel within ${opts.timeoutMs} ms`),
      );
    const onEnd = () =>
      fail(new ScannerError('ERR_UNREACHABLE', `proxy ${where}: closed before answering`));
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const head = Buffer.concat(chunks);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (size > MAX_HEADER_BYTES)
          fail(new ScannerError('ERR_PROTOCOL', `proxy ${where}: answer too long`));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})([^\r\n]*)/.exec(
        head.subarray(0, end).toString('latin1'),
      );
      if (!status || status[1] !== '200') {
        const line = status ? `${status[1]}${status[2]}` : 'not an HTTP answer';
        fail(new ScannerError('ERR_UNREACHABLE', `proxy ${where} refused the tunnel: ${line}`));
        return;
      }
      cleanup();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const cleanup = () => {
      socket.setTimeout(0);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      socket.off('timeout', onTimeout);
    };
    socket.setTimeout(opts.timeoutMs);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('timeout', onTimeout);
    const authority = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
    if (proxy.username || proxy.password) {
      const user = decodeURIComponent(proxy.username);
      const pass = decodeURIComponent(proxy.password);
      lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
    }
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
