// CSV export (RFC 4180) of the list endpoints, safe to open in a spreadsheet.

export interface CsvColumn<T> {
  header: string;
  get: (row: T) => unknown;
}

/**
 * One cell: JSON for objects, quoted when it holds a comma, quote or line break, and prefixed
 * with `'` when it starts like a formula (`=`, `+`, `-`, `@`, tab, CR) so a spreadsheet shows it
 * instead of running it.
 */
export function csvCell(value: unknown): string {
  let s =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header line and one line per row, CRLF-terminated. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(c.get(r))).join(','));
  return lines.join('\r\n') + '\r\n';
}
