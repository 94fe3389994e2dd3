// The tabs' data tables: a scrolling wrapper, the header row and the body rows.
import type { ComponentChildren } from 'preact';

/** A column's heading, or its heading with a tooltip saying what it counts. */
export type Column = string | { label: string; title: string };

/**
 * The header row, one `th scope="col"` a column; `actions` adds a last column for the row's
 * buttons, named for screen readers only.
 */
export function TableHead({ columns, actions }: { columns: readonly Column[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === 'string' ? (
            <th scope="col" key={c}>
              {c}
            </th>
          ) : (
            <th scope="col" key={c.label} title={c.title}>
              {c.label}
            </th>
          ),
        )}
        {actions && (
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/**
 * A `table.data` in its scrolling wrapper; `children` are the body rows, `name` is the
 * `data-table` the page's tests find it by.
 *
 * @example
 *   <DataTable name="schedules" columns={['Name', 'When']} actions>{rows}</DataTable>
 */
export function DataTable({
  name,
  class: cls,
  columns,
  actions,
  children,
}: {
  name?: string;
  /** More classes after `data`: `compact`. */
  class?: string;
  columns: readonly Column[];
  actions?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap">
      <table class={cls ? `data ${cls}` : 'data'} data-table={name}>
        <TableHead columns={columns} actions={actions} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
