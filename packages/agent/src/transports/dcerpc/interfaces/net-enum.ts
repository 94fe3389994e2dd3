// The request forms MS-SRVS and MS-WKST share: NetrXxxGetInfo (server name, level) and
// NetrXxxEnum (server name, an [in,out] *_ENUM_STRUCT, preferred maximum length, resume handle;
// answered with the filled struct, TotalEntries, the resume handle and a status that is
// ERROR_MORE_DATA while entries remain).
import { NdrReader, NdrWriter } from '../ndr.js';
import { resultError } from '../status.js';
import { collectPages } from './pages.js';

const ERROR_MORE_DATA = 0xea;

function writeServerName(w: NdrWriter, server: string | null): void {
  w.construct(() => w.unique(server, (s) => w.wstring(s)));
}

/** NetrServerGetInfo / NetrWkstaGetInfo: [in, unique, string] ServerName, [in] Level. */
export function encodeNetGetInfo(server: string | null, level: number): Buffer {
  const w = new NdrWriter();
  writeServerName(w, server);
  w.construct(() => w.u32(level));
  return w.toBuffer();
}

/** NetrShareEnum / NetrWkstaUserEnum asking for `level` from `resume` (an empty container). */
export function encodeNetEnum(
  server: string | null,
  level: number,
  resume: number | null,
  maxLength: number,
): Buffer {
  const w = new NdrWriter();
  writeServerName(w, server);
  // [in,out] *_ENUM_STRUCT: Level, union(switch Level) → *_CONTAINER {0, NULL}.
  w.construct(() => {
    w.u32(level).u32(level);
    w.unique({}, () => w.u32(0).u32(0));
  });
  w.construct(() => w.u32(maxLength));
  w.construct(() => w.unique(resume, (v) => w.u32(v)));
  return w.toBuffer();
}

/** One answer of a NetrXxxEnum: the entries as `readEntry` read them (deferred parts resolved). */
export interface NetEnumPage<T> {
  entries: T[];
  totalEntries: number;
  resume: number | null;
  status: number;
}

/** Reads a NetrXxxEnum answer whose container holds an array of `entrySize`-byte entries. */
export function decodeNetEnum<T>(
  stub: Buffer,
  entrySize: number,
  readEntry: (r: NdrReader) => T,
): NetEnumPage<T> {
  const r = new NdrReader(stub);
  const container = r.construct(() => {
    r.u32(); // level
    r.u32(); // union switch
    return r.unique(() => {
      r.u32(); // EntriesRead
      return r.unique(() => r.conformantArray(entrySize, () => readEntry(r)));
    });
  });
  const totalEntries = r.construct(() => r.u32());
  const resume = r.construct(() => r.unique(() => r.u32()));
  const status = r.construct(() => r.u32());
  return { entries: container.value?.value ?? [], totalEntries, resume: resume.value, status };
}

/**
 * Every entry of a NetrXxxEnum: `fetch` makes one call from a resume handle; follows the handle
 * while the server answers ERROR_MORE_DATA with entries (bounded), any other failure is ERR_RPC.
 */
export function netEnumAll<T>(
  what: string,
  fetch: (
    resume: number | null,
  ) => Promise<{ entries: T[]; resume: number | null; status: number }>,
): Promise<T[]> {
  return collectPages<T, number | null>(0, async (resume) => {
    const res = await fetch(resume);
    if (res.status !== 0 && res.status !== ERROR_MORE_DATA) throw resultError(res.status, what);
    const done = res.status === 0 || res.entries.length === 0 || res.resume === null;
    return { entries: res.entries, next: done ? null : res.resume };
  });
}
