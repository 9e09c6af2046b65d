import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';
import { canonicalIdentity } from './canonical.mapper';

const canonical = buildSourceSystems(loadConfig({ env: {} }).sources).get('canonical')!;
const event = { ts: '2026-09-01T09:00:00.000+09:00', source: 'jumin', userId: 'K000123', action: 'view', subjectId: '0000012345' };

describe('canonical (normalized JSON) parser', () => {
  it('fills defaults and keeps the event’s own source', () => {
    expect(canonical.parse(JSON.stringify(event))).toEqual({
      kind: 'ok',
      value: expect.objectContaining({
        tsMs: Date.parse(event.ts),
        source: 'jumin',
        userId: 'K000123',
        action: 'view',
        outcome: 'success',
        recordCount: 0,
      }),
    });
  });

  it('the identity does not depend on key order or spacing', () => {
    const a = canonical.parse(JSON.stringify(event));
    const b = canonical.parse(
      JSON.stringify({ subjectId: '0000012345', action: 'view', userId: 'K000123', source: 'jumin', ts: event.ts }, null, 1).replace(
        /\n/g,
        '',
      ),
    );
    if (a.kind !== 'ok' || b.kind !== 'ok') throw new Error('parse failed');
    expect(canonicalIdentity(a.value)).toEqual(canonicalIdentity(b.value));
  });

  it.each([
    [{ ...event, ts: undefined }, 'ts'],
    [{ ...event, action: 'delete' }, 'action'],
    [{ ...event, source: 'unknown' }, 'source'],
    [{ ...event, recordCount: 'many' }, 'recordCount'],
    [{ ...event, extra: 1 }, '(行)'],
  ])('quarantines %p naming %s', (value, field) => {
    expect(canonical.parse(JSON.stringify(value))).toMatchObject({ kind: 'quarantine', field });
  });
});
