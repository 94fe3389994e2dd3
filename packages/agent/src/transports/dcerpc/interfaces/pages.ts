// The bounded resume loop of the enumeration calls (NetrShareEnum, NetrWkstaUserEnum,
// SamrEnumerate*): one call per page, the server's resume value carried to the next.

/** Enumerations stop after this many pages even if the server keeps saying "more". */
export const MAX_PAGES = 1000;

/**
 * Calls `page` with `first`, then with each `next` it returns, until `next` is null or
 * MAX_PAGES calls were made; the entries of every page, in order. Errors from `page` propagate.
 */
export async function collectPages<T, R>(
  first: R,
  page: (resume: R) => Promise<{ entries: T[]; next: R | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let resume = first;
  for (let round = 0; round < MAX_PAGES; round++) {
    const p = await page(resume);
    out.push(...p.entries);
    if (p.next === null) return out;
    resume = p.next;
  }
  return out;
}
