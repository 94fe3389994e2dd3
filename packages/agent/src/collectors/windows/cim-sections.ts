// Section bookkeeping for the CIM collector: each read lowers its section on failure (denied,
// timeout, unsupported, partial) with a note, and the first failure is kept for the log.
import type { SectionState } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { hresultOf } from '../../transports/dcom/hresult.js';
import {
  WBEM_E_INVALID_CLASS,
  WBEM_E_INVALID_NAMESPACE,
} from '../../transports/wmi/wbem-status.js';
import { WINDOWS_SECTIONS, type WindowsInventory, type WindowsSectionName } from './inventory.js';
import type { Listing } from './remote.js';

/** WBEM_E_NOT_FOUND: a class or namespace this Windows version does not have. */
const WBEM_E_NOT_FOUND = 0x80041002;
const ABSENT = new Set([WBEM_E_INVALID_CLASS, WBEM_E_INVALID_NAMESPACE, WBEM_E_NOT_FOUND]);

/**
 * Failures after which the session cannot be used: a call limit (the host stopped answering) or a
 * broken answer. A status the host returned (an HRESULT, a WS-Man fault, access denied) does not.
 */
function endsSession(err: ScannerError): boolean {
  if (hresultOf(err) !== undefined || err.name === 'WsmanFaultError') return false;
  return err.code === 'ERR_TIMEOUT' || err.code === 'ERR_PROTOCOL';
}

const RANK: SectionState[] = ['complete', 'partial', 'unsupported', 'denied', 'timeout'];

/** A section's state from the error that stopped one of its reads. */
export function stateForError(err: ScannerError): SectionState {
  if (err.code === 'ERR_ACCESS_DENIED') return 'denied';
  if (err.code === 'ERR_TIMEOUT' || err.code === 'ERR_ABORTED') return 'timeout';
  if (err.code === 'ERR_NOT_SUPPORTED') return 'unsupported';
  const hr = hresultOf(err);
  if (hr !== undefined && ABSENT.has(hr >>> 0)) return 'unsupported';
  return 'partial';
}

export class SectionLog {
  readonly sections = Object.fromEntries(WINDOWS_SECTIONS.map((s) => [s, 'complete'])) as Record<
    WindowsSectionName,
    SectionState
  >;
  readonly notes: Partial<Record<WindowsSectionName, string[]>> = {};
  firstError: WindowsInventory['error'] = null;
  /** The failure that ended the session (a stall, a drop, garbage); then nothing more is asked. */
  lost: ScannerError | null = null;
  readonly #lostNoted = new Set<WindowsSectionName>();
  readonly #signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  note(section: WindowsSectionName, text: string): void {
    (this.notes[section] ??= []).push(text);
  }

  /** Lowers `section` to `state` unless it is already worse, with a note. */
  lower(section: WindowsSectionName, state: SectionState, text: string): void {
    if (RANK.indexOf(state) > RANK.indexOf(this.sections[section])) this.sections[section] = state;
    this.note(section, text);
  }

  /**
   * One read for `section`: its result, or null with the section lowered and noted. Once the
   * host deadline or a cancel fired, nothing more is asked. Programming errors propagate.
   */
  async read<T>(
    section: WindowsSectionName,
    what: string,
    fn: () => Promise<T>,
  ): Promise<T | null> {
    if (this.lost) {
      if (!this.#lostNoted.has(section)) {
        this.#lostNoted.add(section);
        this.lower(
          section,
          stateForError(this.lost),
          `not read: the session ended (${this.lost.message})`,
        );
      }
      return null;
    }
    if (this.#signal.aborted) {
      this.lower(section, 'timeout', `${what}: not read (host deadline or cancel)`);
      return null;
    }
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ScannerError)) throw err;
      this.lower(
        section,
        this.#signal.aborted ? 'timeout' : stateForError(err),
        `${what}: ${err.message}`,
      );
      if (!this.#signal.aborted && endsSession(err)) {
        this.lost = err;
        this.#lostNoted.add(section);
        this.firstError = { code: err.code, message: err.message };
      }
      this.firstError ??= { code: err.code, message: err.message };
      return null;
    }
  }

  /** The items of a listing, the section made `partial` when the listing hit its cap. */
  capped<T>(section: WindowsSectionName, what: string, l: Listing<T> | null): T[] {
    if (!l) return [];
    if (l.truncated)
      this.lower(section, 'partial', `${what}: more than the cap of ${l.items.length}`);
    return l.items;
  }
}
