// Test-only WS-Man server on 127.0.0.1: checks requests, authenticates Basic or NTLM (a small
// NTLMv2 acceptor built from the NTLM client's primitives), seals answers like Windows, serves
// canned WMI instances in pages, and can fault, stall or send garbage on demand.
import { randomInt, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import type { NtlmSessionSecurity } from '../../packages/agent/src/transports/ntlm/ntlm-session-security.js';
import { ntlmChannelBindings } from '../../packages/agent/src/transports/wsman/channel-bindings.js';
import {
  ENCRYPTED_CONTENT_TYPE,
  ENCRYPTED_PROTOCOL,
  decryptMessage,
  encryptMessage,
} from '../../packages/agent/src/transports/wsman/wsman-encryption.js';
import {
  NS,
  WQL_DIALECT,
  wmiResourceUri,
} from '../../packages/agent/src/transports/wsman/wsman-envelope.js';
import {
  acceptNtlmAuthenticate,
  ntlmChallengeMessage,
  serverSessionSecurity,
} from './ntlm-acceptor.js';

const testdata = (name: string) =>
  readFileSync(
    new URL(`../../packages/agent/src/transports/wsman/testdata/${name}`, import.meta.url),
    'utf8',
  );
export const PEER_CERT = testdata('peer-cert.pem');
const PEER_KEY = testdata('peer-key.pem');

export type PeerBehaviour =
  | { kind: 'normal' }
  | {
      kind: 'fault';
      subcode: string;
      wsmanCode?: string;
      onAction?: 'Enumerate' | 'Pull' | 'Invoke';
    }
  | { kind: 'stall'; onAction?: 'Enumerate' | 'Pull' | 'Invoke' }
  | { kind: 'garbage' };

export interface PeerOptions {
  https: boolean;
  auth: 'basic' | 'ntlm';
  username: string;
  password: string;
  domain?: string;
  /** Instances per class, as XML fragments of <p:Class> elements. */
  instances: Record<string, string[]>;
  pageSize: number;
  /**
   * Answers any WQL in any namespace (from the ResourceURI, `root/StandardCimv2`) instead of
   * `instances`: the XML items to return, or undefined for CannotProcessFilter.
   */
  serve?: (namespace: string, wql: string) => string[] | undefined;
  /** The loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** The port to listen on (default: any free one). */
  port?: number;
  /** HTTPS: the certificate (PEM) and key to serve (default the committed self-signed peer's). */
  tls?: { cert: string; key: string };
  /** WMI method calls (the Invoke action): the `<p:M_OUTPUT>` XML, or a fault subcode. */
  invoke?: (req: InvokeRequest) => { xml: string } | { fault: string };
}

/** An Invoke as the peer read it: `<ResourceURI>/<Method>`, selectors, `<p:M_INPUT>` children. */
export interface InvokeRequest {
  resourceUri: string;
  method: string;
  selectors: Record<string, string>;
  input: Record<string, string | string[]>;
}

interface ConnState {
  challenge?: Buffer;
  challengeMessage?: Buffer;
  security?: NtlmSessionSecurity;
  authed: boolean;
  /** MsvAvChannelBindings the client sent (HTTPS). */
  channelBindings?: Buffer;
}

export interface PeerRequest {
  action: string;
  resourceUri: string;
  filter?: string;
  dialect?: string;
  maxElements?: string;
  encrypted: boolean;
  authorization?: string;
}

const xml = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
});

function soap(body: string, action: string): string {
  return (
    `<s:Envelope xmlns:s="${NS.env}" xmlns:a="${NS.a}" xmlns:n="${NS.n}" xmlns:w="${NS.w}">` +
    `<s:Header><a:Action>${action}</a:Action></s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

function faultXml(subcode: string, wsmanCode = '5'): string {
  return soap(
    '<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode>' +
      `<s:Value>w:${subcode}</s:Value></s:Subcode></s:Code>` +
      `<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request (${subcode}).</s:Text></s:Reason>` +
      `<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${wsmanCode}" Machine="peer">` +
      `<f:Message>${subcode} from the test peer</f:Message></f:WSManFault></s:Detail></s:Fault>`,
    'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
  );
}

/** The running peer: its port, what it saw, and knobs for the next requests. */
export class WsmanTestPeer {
  readonly #o: PeerOptions;
  readonly #server: Server;
  readonly #conns = new Map<Socket, ConnState>();
  readonly #contexts = new Map<string, { items: string[]; pos: number }>();
  readonly requests: PeerRequest[] = [];
  readonly stalled: ServerResponse[] = [];
  behaviour: PeerBehaviour = { kind: 'normal' };
  /** NTLM handshakes completed (one per connection authenticated). */
  handshakes = 0;
  #nextContext = 1;
  port = 0;

  private constructor(o: PeerOptions) {
    this.#o = o;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.#handle(req, res, Buffer.concat(chunks)));
    };
    this.#server = o.https
      ? createHttpsServer(o.tls ?? { cert: PEER_CERT, key: PEER_KEY }, handler)
      : createHttpServer(handler);
  }

  static async start(o: PeerOptions): Promise<WsmanTestPeer> {
    const peer = new WsmanTestPeer(o);
    await new Promise<void>((resolve, reject) => {
      peer.#server.once('error', reject);
      peer.#server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve);
    });
    peer.port = (peer.#server.address() as { port: number }).port;
    return peer;
  }

  /**
   * Starts the peer on a random 127.x.y.z (so parallel runs on fixed ports like 5985/5986 do not
   * collide): five addresses at most, then the last error.
   */
  static async startOnRandomLoopback(
    o: Omit<PeerOptions, 'host'>,
  ): Promise<{ peer: WsmanTestPeer; address: string }> {
    let lastError: unknown;
    for (let i = 0; i < 5; i++) {
      const address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
      try {
        return { peer: await WsmanTestPeer.start({ ...o, host: address }), address };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  /** The NTLM bindings a client must send for this peer's certificate. */
  static expectedBindings(cert = PEER_CERT): Buffer {
    return ntlmChannelBindings(Buffer.from(new X509Certificate(cert).raw));
  }

  /** Stops listening and drops every connection (stalled answers included). */
  async stop(): Promise<void> {
    for (const r of this.stalled) r.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #state(socket: Socket): ConnState {
    let s = this.#conns.get(socket);
    if (!s) {
      s = { authed: false };
      this.#conns.set(socket, s);
      socket.once('close', () => this.#conns.delete(socket));
    }
    return s;
  }

  #handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const st = this.#state(req.socket);
    const authz = req.headers.authorization ?? '';
    if (this.#o.auth === 'basic') {
      const want = `Basic ${Buffer.from(`${this.#o.username}:${this.#o.password}`).toString('base64')}`;
      if (authz !== want) {
        res
          .writeHead(401, { 'www-authenticate': 'Basic realm="WSMAN"', 'content-length': '0' })
          .end();
        return;
      }
      this.#soap(req, res, body.toString('utf8'), st, authz);
      return;
    }
    const m = /^Negotiate ([A-Za-z0-9+/=]+)$/.exec(authz);
    if (m) {
      const token = Buffer.from(m[1]!, 'base64');
      if (token.readUInt32LE(8) === 1) {
        st.challenge = Buffer.from('0123456789abcdef', 'hex');
        st.challengeMessage = ntlmChallengeMessage(st.challenge);
        st.authed = false;
        res
          .writeHead(401, {
            'www-authenticate': `Negotiate ${st.challengeMessage.toString('base64')}`,
            'content-length': '0',
          })
          .end();
        return;
      }
      const ok = st.challenge ? acceptNtlmAuthenticate(token, st.challenge, this.#o) : null;
      const bindingsOk =
        !this.#o.https ||
        (ok?.channelBindings?.equals(WsmanTestPeer.expectedBindings(this.#o.tls?.cert)) ?? false);
      if (!ok || !bindingsOk) {
        res.writeHead(401, { 'www-authenticate': 'Negotiate', 'content-length': '0' }).end();
        return;
      }
      st.authed = true;
      this.handshakes++;
      if (ok.channelBindings) st.channelBindings = ok.channelBindings;
      if (!this.#o.https) st.security = serverSessionSecurity(ok);
      res.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    if (!st.authed) {
      res.writeHead(401, { 'www-authenticate': 'Negotiate', 'content-length': '0' }).end();
      return;
    }
    if (st.security) {
      if (!String(req.headers['content-type']).includes(ENCRYPTED_PROTOCOL)) {
        res.writeHead(400, { 'content-length': '0' }).end();
        return;
      }
      this.#soap(req, res, decryptMessage(st.security, body).toString('utf8'), st, '');
      return;
    }
    this.#soap(req, res, body.toString('utf8'), st, '');
  }

  #reply(res: ServerResponse, st: ConnState, status: number, text: string): void {
    if (this.behaviour.kind === 'garbage') text = '<<<this is not xml';
    const plain = Buffer.from(text, 'utf8');
    if (st.security) {
      const sealed = encryptMessage(st.security, plain);
      res
        .writeHead(status, {
          'content-type': ENCRYPTED_CONTENT_TYPE,
          'content-length': String(sealed.length),
        })
        .end(sealed);
    } else {
      res
        .writeHead(status, {
          'content-type': 'application/soap+xml;charset=UTF-8',
          'content-length': String(plain.length),
        })
        .end(plain);
    }
  }

  #soap(
    req: IncomingMessage,
    res: ServerResponse,
    text: string,
    st: ConnState,
    authz: string,
  ): void {
    const doc = xml.parse(text) as Record<string, Record<string, Record<string, unknown>>>;
    const header = doc['Envelope']?.['Header'] ?? {};
    const body = (doc['Envelope']?.['Body'] ?? {}) as Record<string, Record<string, unknown>>;
    const val = (v: unknown) =>
      typeof v === 'object' && v !== null
        ? String((v as Record<string, unknown>)['#text'] ?? '')
        : String(v ?? '');
    const action = val(header['Action']).replace(`${NS.n}/`, '');
    const resourceUri = val(header['ResourceURI']);
    const filter = body['Enumerate']?.['Filter'] as Record<string, string> | undefined;
    const maxElements = val(body['Enumerate']?.['MaxElements'] ?? body['Pull']?.['MaxElements']);
    this.requests.push({
      action,
      resourceUri,
      ...(filter ? { filter: filter['#text'] ?? '', dialect: filter['@_Dialect'] ?? '' } : {}),
      ...(maxElements ? { maxElements } : {}),
      encrypted: st.security !== undefined,
      ...(authz ? { authorization: authz } : {}),
    });
    const b = this.behaviour;
    const isInvoke = resourceUri !== '' && action.startsWith(`${resourceUri}/`);
    const matches = (on?: string) =>
      on === undefined || on === action || (on === 'Invoke' && isInvoke);
    if (b.kind === 'stall' && matches(b.onAction)) {
      this.stalled.push(res);
      return;
    }
    if (b.kind === 'fault' && matches(b.onAction)) {
      this.#reply(res, st, 500, faultXml(b.subcode, b.wsmanCode));
      return;
    }
    if (isInvoke && this.#o.invoke) {
      this.#invoke(this.#o.invoke, res, st, header, body, resourceUri, action);
      return;
    }
    const namespace = this.#o.serve
      ? /\/wmi\/(.+)\/\*$/.exec(resourceUri)?.[1]
      : resourceUri === wmiResourceUri('root/cimv2')
        ? 'root/cimv2'
        : undefined;
    if (namespace === undefined) {
      this.#reply(res, st, 500, faultXml('DestinationUnreachable'));
      return;
    }
    if (action === 'Enumerate') {
      const cls = /^SELECT \* FROM (\w+)$/i.exec(filter?.['#text'] ?? '')?.[1];
      const items = this.#o.serve
        ? this.#o.serve(namespace, filter?.['#text'] ?? '')
        : cls
          ? this.#o.instances[cls]
          : undefined;
      if (filter?.['@_Dialect'] !== WQL_DIALECT || !items) {
        this.#reply(res, st, 500, faultXml('CannotProcessFilter'));
        return;
      }
      const ctx = `uuid:00000000-0000-0000-0000-${String(this.#nextContext++).padStart(12, '0')}`;
      this.#contexts.set(ctx, { items, pos: 0 });
      this.#reply(res, st, 200, this.#page('EnumerateResponse', ctx, Number(maxElements)));
      return;
    }
    const ctx = val(
      body['Pull']?.['EnumerationContext'] ?? body['Release']?.['EnumerationContext'],
    );
    if (!this.#contexts.has(ctx)) {
      this.#reply(res, st, 500, faultXml('InvalidEnumerationContext'));
      return;
    }
    if (action === 'Pull') {
      this.#reply(res, st, 200, this.#page('PullResponse', ctx, Number(maxElements)));
      return;
    }
    if (action === 'Release') {
      this.#contexts.delete(ctx);
      this.#reply(res, st, 200, soap('', `${NS.n}/ReleaseResponse`));
      return;
    }
    this.#reply(res, st, 500, faultXml('ActionNotSupported'));
  }

  /** An Invoke: the selectors and `<p:M_INPUT>` children handed to `invoke`, its answer sent. */
  #invoke(
    invoke: NonNullable<PeerOptions['invoke']>,
    res: ServerResponse,
    st: ConnState,
    header: Record<string, unknown>,
    body: Record<string, Record<string, unknown>>,
    resourceUri: string,
    action: string,
  ): void {
    const text = (v: unknown): string =>
      typeof v === 'object' && v !== null
        ? String((v as Record<string, unknown>)['#text'] ?? '')
        : String(v ?? '');
    const method = action.slice(resourceUri.length + 1);
    const set = header['SelectorSet'] as Record<string, unknown> | undefined;
    const raw = set?.['Selector'];
    const selectors: Record<string, string> = {};
    for (const sel of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      selectors[String((sel as Record<string, unknown>)['@_Name'] ?? '')] = text(sel);
    const input: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(body[`${method}_INPUT`] ?? {})) {
      if (k.startsWith('@_') || k === '#text') continue;
      input[k] = Array.isArray(v) ? v.map(text) : text(v);
    }
    const r = invoke({ resourceUri, method, selectors, input });
    if ('fault' in r) this.#reply(res, st, 500, faultXml(r.fault));
    else this.#reply(res, st, 200, soap(r.xml, `${action}Response`));
  }

  #page(kind: string, ctx: string, maxElements: number): string {
    const c = this.#contexts.get(ctx)!;
    const n = Math.min(this.#o.pageSize, maxElements || this.#o.pageSize);
    const items = c.items.slice(c.pos, c.pos + n);
    c.pos += items.length;
    const end = c.pos >= c.items.length;
    if (end) this.#contexts.delete(ctx);
    return soap(
      `<n:${kind}>${end ? '' : `<n:EnumerationContext>${ctx}</n:EnumerationContext>`}` +
        `<w:Items>${items.join('')}</w:Items>${end ? '<w:EndOfSequence/>' : ''}</n:${kind}>`,
      `${NS.n}/${kind}`,
    );
  }
}
