import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorBox, Field } from '../components/ui';

/**
 * 事案を開く (for findings.triage): a case for a staff member, with the
 * findings it starts from; the person opening it is its owner. Opens the new
 * case's page; the API's refusal is shown as it says it.
 */
export function OpenCaseForm({ userId, findingIds, title: suggested }: { userId: string; findingIds: string[]; title: string }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(suggested);
  const open = useMutation({
    mutationFn: () => unwrap(api.POST('/api/cases', { body: { userId, title, findingIds } })),
    onSuccess: (c) => {
      void queries.invalidateQueries({ queryKey: ['cases'] });
      void queries.invalidateQueries({ queryKey: ['patterns'] });
      void navigate(`/cases/${c.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate();
  };
  return (
    <form onSubmit={submit} className="triage" aria-label={`職員 ${userId} の事案を開く`}>
      <Field label="事案の件名">{(id) => <input id={id} value={title} onChange={(e) => setTitle(e.target.value)} required />}</Field>
      <ErrorBox error={open.error} />
      <button type="submit" className="primary" disabled={open.isPending || !title.trim()}>
        事案を開く
      </button>
    </form>
  );
}
