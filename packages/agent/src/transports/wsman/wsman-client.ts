// WinRM client for WMI inventory: Enumerate with a WQL filter, Pull until EndOfSequence, Release
// when stopped early. Items come back as CimObjects, the shape the WMI/DCOM path produces.
import { randomUUID } from 'node:crypto';
import { ScannerError } from '../../errors.js';
import type { CimObject } from '../wmio/cim-object.js';
import {
  enumerateEnvelope,
  pullEnvelope,
  releaseEnvelope,
  wmiResourceUri,
  type EnvelopeOptions,
} from './wsman-envelope.js';
import { parseEnumerationResponse, type CimSchema } from './wsman-response.js';
import { WsmanTransport, type WsmanTransportOptions } from './wsman-transport.js';

export interface WsmanClientOptions extends WsmanTransportOptions {
  /** WMI namespace, default root/cimv2. */
  namespace?: string;
  /** w:OperationTimeout sent to the server; default 20 s (pywinrm's). */
  operationTimeoutSec?: number;
  /** w:MaxEnvelopeSize; default 153600 (pywinrm's). */
  maxEnvelopeSize?: number;
  /** w:MaxElements per page; default 32. */
  maxElements?: number;
  locale?: string;
  /** Stop after this many pages (a server that never ends the sequence); default 10000. */
  maxPages?: number;
}

export interface EnumerateOptions {
  signal: AbortSignal;
  schema?: CimSchema;
  /** Class name for items sent as XmlFragment (WQL projections). */
  className?: string;
}

/** One WinRM endpoint. Reuses its authenticated connection across calls; `close()` when done. */
export class WsmanClient {
  readonly #o: WsmanClientOptions;
  readonly #transport: WsmanTransport;

  constructor(o: WsmanClientOptions) {
    this.#o = o;
    this.#transport = new WsmanTransport(o);
  }

  /** True once NTLM message encryption is in use. */
  get encrypted(): boolean {
    return this.#transport.encrypted;
  }

  /** HTTPS: the server's certificate and why it was trusted; null before a connection. */
  get tls(): WsmanTransport['tls'] {
    return this.#transport.tls;
  }

  #envelope(): EnvelopeOptions {
    return {
      to: this.#transport.endpoint,
      resourceUri: wmiResourceUri(this.#o.namespace ?? 'root/cimv2'),
      messageId: randomUUID(),
      operationTimeoutSec: this.#o.operationTimeoutSec ?? 20,
      maxEnvelopeSize: this.#o.maxEnvelopeSize ?? 153600,
      locale: this.#o.locale ?? 'en-US',
    };
  }

  /** Every instance the WQL query selects, page by page, in order. */
  async enumerate(wql: string, opts: EnumerateOptions): Promise<CimObject[]> {
    const out: CimObject[] = [];
    for await (const page of this.pages(wql, opts)) out.push(...page);
    return out;
  }

  /**
   * The query's pages as they arrive. Breaking out of the loop (or an error) releases the
   * enumeration on the server.
   */
  async *pages(wql: string, opts: EnumerateOptions): AsyncGenerator<CimObject[]> {
    const max = this.#o.maxElements ?? 32;
    const fallback = opts.className ?? /\bFROM\s+(\w+)/i.exec(wql)?.[1] ?? '';
    const read = (xml: string) => parseEnumerationResponse(xml, opts.schema, fallback);
    let page = read(
      await this.#transport.send(enumerateEnvelope(this.#envelope(), wql, max), opts.signal),
    );
    let finished = false;
    try {
      const maxPages = this.#o.maxPages ?? 10_000;
      for (let n = 0; ; n++) {
        if (page.items.length > 0) yield page.items;
        if (page.context === null) {
          finished = true;
          return;
        }
        if (n >= maxPages) {
          throw new ScannerError(
            'ERR_PROTOCOL',
            `WinRM: enumeration did not end after ${maxPages} pages`,
          );
        }
        page = read(
          await this.#transport.send(
            pullEnvelope(this.#envelope(), page.context, max),
            opts.signal,
          ),
        );
      }
    } finally {
      if (!finished && page.context !== null && !opts.signal.aborted) {
        // Best effort: the server frees the context on its own after its idle timeout anyway.
        await this.#transport
          .send(releaseEnvelope(this.#envelope(), page.context), opts.signal)
          .catch(() => undefined);
      }
    }
  }

  /**
   * Sends the envelope `build` makes from this endpoint's header options (a:To, a fresh
   * MessageID, limits, locale) and returns the answer's SOAP text, faults included. invoke.ts
   * sends WMI method calls with it.
   */
  async exchange(build: (o: EnvelopeOptions) => string, signal: AbortSignal): Promise<string> {
    return this.#transport.send(build(this.#envelope()), signal);
  }

  close(): void {
    this.#transport.close();
  }
}
