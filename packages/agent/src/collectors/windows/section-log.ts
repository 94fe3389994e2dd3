// Section bookkeeping for both Windows collectors (445 and CIM): each read lowers its section on
// failure (denied, timeout, unsupported, partial) with a note, the first failure is kept for the
// log, and once a failure ended the session nothing more is asked.
import type { SectionState } from '@nopesight/model';
import { ScannerError } from '../../errors.js';
import { hresultOf } from '../../transports/dcom/hresult.js';
import {
  WBEM_E_INVALID_CLASS,
  WBEM_E_INVALID_NAMESPACE,
} from '../../transports/wmi/wbem-status.js';
import type { WindowsInventory } from './inventory.js';
import type { Listing } from './remote.js';

/** The sections the Windows collectors fill, in report order. */
export const WINDOWS_SECTIONS = [
  'identity',
  'os',
  'hardware',
  'software',
  'services',
  'users',
  'groups',
  'shares',
  'logons',
  'processes',
  'connections',
] as const;
export type WindowsSectionName = (typeof WINDOWS_SECTIONS)[number];

/** WBEM_E_NOT_FOUND: a class or namespace this Windows version does not have. */
const WBEM_E_NOT_FOUND = 0x80041002;
const ABSENT = new Set([WBEM_E_INVALID_CLASS, WBEM_E_INVALID_NAMESPACE, WBEM_E_NOT_FOUND]);

/**
 * The CIM paths' judgement of a failure: it ended the session when it is a call limit (the host
 * stopped answering) or a broken answer; a status the host returned (an HRESULT, a WS-Man fault,
 * access denied) did not.
 */
export async function cimSessionLost(err: ScannerError): Promise<ScannerError | null> {
  if (hresultOf(err) !== undefined || err.name === 'WsmanFaultError') return null;
  return err.code === 'ERR_TIMEOUT' || err.code === 'ERR_PROTOCOL' ? err : null;
}

/**
 * Asked after a failed read (not after the deadline or a cancel): the error that ended the
 * session (the given one, or another the check found), or null when the session goes on.
 */
export type SessionLostCheck = (err: ScannerError) => Promise<ScannerError | null>;

const RANK: SectionState[] = ['complete', 'partial', 'unsupported', 'denied', 'timeout'];

/** The worse of two states for one section (a section is as good as its weakest read). */
export function worse(a: SectionState, b: SectionState): SectionState {
  return RANK.indexOf(b) > RANK.indexOf(a) ? b : a;
}

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
  readonly #sessionLost: SessionLostCheck;

  constructor(signal: AbortSignal, sessionLost: SessionLostCheck) {
    this.#signal = signal;
    this.#sessionLost = sessionLost;
  }

  note(section: WindowsSectionName, text: string): void {
    (this.notes[section] ??= []).push(text);
  }

  /** Lowers `section` to `state` unless it is already worse, with a note. */
  lower(section: WindowsSectionName, state: SectionState, text: string): void {
    this.sections[section] = worse(this.sections[section], state);
    this.note(section, text);
  }

  /**
   * One read for `section`: its result, or null with the section lowered and noted. Once the
   * host deadline or a cancel fired, or a failure ended the session, nothing more is asked and
   * every read left is noted "not read". Programming errors (not ScannerError) propagate.
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
      this.firstError ??= { code: err.code, message: err.message };
      if (this.#signal.aborted) return null;
      const lost = await this.#sessionLost(err);
      if (lost) {
        this.lost = lost;
        this.#lostNoted.add(section);
        if (lost !== err) this.lower(section, stateForError(lost), lost.message);
        this.firstError = { code: lost.code, message: lost.message };
      }
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
