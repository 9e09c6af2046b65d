import { useMutation } from '@tanstack/react-query';
import { download } from '../api/client';
import { ErrorBox } from './ui';

/** CSV and PDF of a look-up (GET /api/events/export with the same query; recorded as an export). */
export function ExportButtons({ query, name }: { query: Record<string, string>; name: string }) {
  const exporting = useMutation({
    mutationFn: (format: 'csv' | 'pdf') =>
      download(`/api/events/export?${new URLSearchParams({ ...query, format }).toString()}`, `${name}.${format}`),
  });
  return (
    <div className="toolbar">
      <button type="button" onClick={() => exporting.mutate('csv')} disabled={exporting.isPending}>
        CSV で出力
      </button>
      <button type="button" onClick={() => exporting.mutate('pdf')} disabled={exporting.isPending}>
        PDF で出力
      </button>
      <ErrorBox error={exporting.error} />
    </div>
  );
}
