import { ColumnDef, flexRender, getCoreRowModel, getSortedRowModel, SortingState, useReactTable } from '@tanstack/react-table';
import { useState } from 'react';

/**
 * A table of rows (TanStack Table): sortable in the browser unless the page
 * sorts on the server (`manualSorting` with `sorting`/`onSort`).
 */
export function DataTable<T>({
  data,
  columns,
  caption,
  sorting,
  onSort,
  empty = '該当するものはありません。',
  rowKey,
}: {
  data: T[];
  columns: Array<ColumnDef<T, unknown>>;
  caption: string;
  sorting?: SortingState;
  onSort?: (s: SortingState) => void;
  empty?: string;
  rowKey?: (row: T) => string;
}) {
  const [local, setLocal] = useState<SortingState>([]);
  const manual = Boolean(onSort);
  const table = useReactTable({
    data,
    columns,
    state: { sorting: manual ? (sorting ?? []) : local },
    manualSorting: manual,
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(manual ? (sorting ?? []) : local) : updater;
      if (manual) onSort!(next);
      else setLocal(next);
    },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getRowId: rowKey ? (row) => rowKey(row) : undefined,
  });
  return (
    <div className="table-wrap">
      <table className="data">
        <caption className="sr-only">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const sorted = h.column.getIsSorted();
                const label = flexRender(h.column.columnDef.header, h.getContext());
                return (
                  <th key={h.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                    {h.column.getCanSort() ? (
                      <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()}>
                        {label}
                        <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
          {data.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="muted">
                {empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
