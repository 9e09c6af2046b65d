import { bearerToken, findClient, generateToken, hashToken, mayIngest } from './api-token';

describe('API tokens', () => {
  const token = generateToken();
  const tokens = [
    { name: 'jumin-sender', role: 'ingest' as const, sha256: hashToken(token), sources: ['jumin'] },
    { name: 'tanaka', role: 'triage' as const, sha256: hashToken('another'), sources: [] },
  ];

  it('finds the client by the hash of the presented token only', () => {
    expect(findClient(tokens, token)).toEqual({ kind: 'token', name: 'jumin-sender', role: 'ingest', sources: ['jumin'] });
    expect(findClient(tokens, 'another')).toEqual({ kind: 'token', name: 'tanaka', role: 'triage', sources: [] });
    expect(findClient(tokens, tokens[0].sha256)).toBeNull(); // the stored hash is not a token
    expect(findClient(tokens, token + 'x')).toBeNull();
  });

  it('new tokens are long, random and URL-safe', () => {
    const other = generateToken();
    expect(other).not.toBe(token);
    expect(token).toMatch(/^kansa_[A-Za-z0-9_-]{43}$/);
  });

  it('an ingest token sends only the sources it was made for (none listed: any)', () => {
    const jumin = findClient(tokens, token)!;
    expect(mayIngest(jumin, 'jumin')).toBe(true);
    expect(mayIngest(jumin, 'chukan')).toBe(false);
    expect(mayIngest({ kind: 'token', name: 'old', role: 'ingest', sources: [] }, 'chukan')).toBe(true);
  });

  it('reads only a Bearer authorization header', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`Basic ${token}`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
