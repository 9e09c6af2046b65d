import type { ColumnDef } from '@tanstack/react-table';
import { useMemo } from 'react';
import type { AccessEvent } from '../api/types';
import { time } from '../format';
import { actionTitle, sourceTitle } from '../labels';
import { DataTable } from './DataTable';

/** Accesses as a 開示請求 answer or a staff timeline lists them; `marked` events (evidence of findings) are flagged. */
export function EventsTable({
  events,
  caption,
  show,
  marked,
}: {
  events: AccessEvent[];
  caption: string;
  show: 'staff' | 'subject';
  marked?: Map<string, string>;
}) {
  const columns = useMemo<Array<ColumnDef<AccessEvent, unknown>>>(
    () => [
      ...(marked
        ? [
            {
              id: 'mark',
              header: '検知',
              enableSorting: false,
              cell: ({ row }: { row: { original: AccessEvent } }) =>
                marked.has(row.original.eventId) ? <span className="badge sev-high">{marked.get(row.original.eventId)}</span> : '',
            } satisfies ColumnDef<AccessEvent, unknown>,
          ]
        : []),
      { header: '日時', accessorKey: 'ts', cell: (c) => time(c.row.original.ts) },
      {
        header: 'システム',
        accessorKey: 'source',
        cell: (c) => sourceTitle(c.row.original.source),
      },
      ...(show === 'staff'
        ? [
            { header: '職員ID', accessorKey: 'userId' } as ColumnDef<AccessEvent, unknown>,
            { header: '氏名', accessorKey: 'userName' } as ColumnDef<AccessEvent, unknown>,
            { header: '所属', accessorKey: 'departmentCode' } as ColumnDef<AccessEvent, unknown>,
          ]
        : [{ header: '対象番号', accessorKey: 'subjectId' } as ColumnDef<AccessEvent, unknown>]),
      { header: '端末', accessorKey: 'terminalId' },
      { header: '操作', accessorKey: 'action', cell: (c) => actionTitle(c.row.original.action) },
      { header: '画面・業務', id: 'screen', accessorFn: (e) => e.businessCode || e.screenId },
      { header: '個人番号表示', accessorKey: 'myNumberShown', cell: (c) => (c.row.original.myNumberShown ? '有' : '') },
      { header: '件数', accessorKey: 'recordCount' },
      { header: '事由', accessorKey: 'reason' },
      { header: '結果', accessorKey: 'outcome', cell: (c) => (c.row.original.outcome === 'success' ? '正常' : '失敗') },
    ],
    [show, marked],
  );
  return <DataTable caption={caption} data={events} columns={columns} rowKey={(e) => e.eventId} empty="該当するアクセスはありません。" />;
}
