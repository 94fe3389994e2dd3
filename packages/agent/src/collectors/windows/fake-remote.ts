// A WindowsRemote replayed from a recorded (or hand-written) host description, for tests: a
// registry tree plus the answers of svcctl, samr, lsarpc, srvsvc and wkssvc. Failures can be
// injected per question to prove how the collector marks sections, and may end the session.
import { ScannerError } from '../../errors.js';
import type {
  CallLimits,
  Listing,
  RegistryValue,
  RemoteAccounts,
  RemoteLoggedOnUser,
  RemoteMembership,
  RemoteServerInfo,
  RemoteService,
  RemoteShare,
  RemoteWorkstationInfo,
  WindowsRemote,
} from './remote.js';

export interface RecordedKey {
  subkeys?: string[];
  values?: RegistryValue[];
}

export interface RecordedHost {
  /** HKLM paths (any case) → key contents. Intermediate keys need not be listed. */
  registry: Record<string, RecordedKey>;
  services: RemoteService[];
  accounts: RemoteAccounts;
  membership: RemoteMembership;
  shares: RemoteShare[];
  server: RemoteServerInfo;
  workstation: RemoteWorkstationInfo;
  logons: RemoteLoggedOnUser[];
}

export type Question =
  | 'subkeys'
  | 'values'
  | 'services'
  | 'accounts'
  | 'membership'
  | 'shares'
  | 'serverInfo'
  | 'workstationInfo'
  | 'loggedOnUsers';

/** The replayed host; `fail` makes a question throw (optionally only for one registry path). */
export class FakeRemote implements WindowsRemote {
  readonly calls: string[] = [];
  readonly #host: RecordedHost;
  readonly #keys: Map<string, RecordedKey>;
  readonly #failures: { question: Question; path?: string; error: ScannerError }[] = [];
  /** Injected errors that end the session (what `sessionLost` answers for them). */
  readonly #fatal = new Map<ScannerError, ScannerError>();

  constructor(host: RecordedHost) {
    this.#host = host;
    this.#keys = new Map(Object.entries(host.registry).map(([k, v]) => [k.toLowerCase(), v]));
  }

  fail(question: Question, error: ScannerError, path?: string): this {
    this.#failures.push({ question, error, ...(path ? { path: path.toLowerCase() } : {}) });
    return this;
  }

  /**
   * Like `fail`, and the error ends the session: `sessionLost` answers `lostWith` (default: the
   * error itself) when asked about it.
   */
  failSession(question: Question, error: ScannerError, lostWith = error, path?: string): this {
    this.#fatal.set(error, lostWith);
    return this.fail(question, error, path);
  }

  async sessionLost(err: ScannerError): Promise<ScannerError | null> {
    this.calls.push(`sessionLost ${err.code}`);
    return this.#fatal.get(err) ?? null;
  }

  #check(question: Question, limits: CallLimits, path?: string): void {
    this.calls.push(path ? `${question} ${path}` : question);
    if (limits.signal.aborted) throw new ScannerError('ERR_ABORTED', `${question}: aborted`);
    const f = this.#failures.find(
      (x) => x.question === question && (x.path === undefined || x.path === path?.toLowerCase()),
    );
    if (f) throw f.error;
  }

  readonly registry = {
    subkeys: async (path: string, max: number, limits: CallLimits) => {
      this.#check('subkeys', limits, path);
      const key = this.#keys.get(path.toLowerCase());
      if (!key) return null;
      return bounded(key.subkeys ?? [], max);
    },
    values: async (path: string, max: number, limits: CallLimits) => {
      this.#check('values', limits, path);
      const key = this.#keys.get(path.toLowerCase());
      if (!key) return null;
      return bounded(key.values ?? [], max);
    },
  };

  async services(max: number, limits: CallLimits): Promise<Listing<RemoteService>> {
    this.#check('services', limits);
    return bounded(this.#host.services, max);
  }

  async accounts(max: number, limits: CallLimits): Promise<RemoteAccounts> {
    this.#check('accounts', limits);
    const a = this.#host.accounts;
    return {
      accountDomain: a.accountDomain,
      users: bounded(a.users.items, max),
      groups: bounded(a.groups.items, max),
    };
  }

  async membership(limits: CallLimits): Promise<RemoteMembership> {
    this.#check('membership', limits);
    return this.#host.membership;
  }

  async shares(max: number, limits: CallLimits): Promise<Listing<RemoteShare>> {
    this.#check('shares', limits);
    return bounded(this.#host.shares, max);
  }

  async serverInfo(limits: CallLimits): Promise<RemoteServerInfo> {
    this.#check('serverInfo', limits);
    return this.#host.server;
  }

  async workstationInfo(limits: CallLimits): Promise<RemoteWorkstationInfo> {
    this.#check('workstationInfo', limits);
    return this.#host.workstation;
  }

  async loggedOnUsers(max: number, limits: CallLimits): Promise<Listing<RemoteLoggedOnUser>> {
    this.#check('loggedOnUsers', limits);
    return bounded(this.#host.logons, max);
  }
}

function bounded<T>(items: readonly T[], max: number): Listing<T> {
  return { items: items.slice(0, max), truncated: items.length > max };
}
