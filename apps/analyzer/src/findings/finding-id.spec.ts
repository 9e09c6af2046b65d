import { findingId } from './finding-id';

describe('findingId', () => {
  it('is the same for the same (rule, subject, day) and differs otherwise', () => {
    const id = findingId('off-hours', 'K000123', '2025-04-21');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(findingId('off-hours', 'K000123', '2025-04-21')).toBe(id);
    expect(findingId('off-hours', 'K000123', '2025-04-22')).not.toBe(id);
    expect(findingId('mass-output', 'K000123', '2025-04-21')).not.toBe(id);
    // fields are separated: shifting characters between them changes the identity
    expect(findingId('a', 'bc', '2025-04-21')).not.toBe(findingId('ab', 'c', '2025-04-21'));
  });
});
