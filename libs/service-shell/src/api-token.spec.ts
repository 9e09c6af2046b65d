import { bearerToken, findClient, generateToken, hashToken, roleAllows } from './api-token';

describe('API tokens', () => {
  const token = generateToken();
  const tokens = [
    { name: 'jumin-sender', role: 'ingest' as const, sha256: hashToken(token) },
    { name: 'tanaka', role: 'triage' as const, sha256: hashToken('another') },
  ];

  it('finds the client by the hash of the presented token only', () => {
    expect(findClient(tokens, token)).toEqual({ name: 'jumin-sender', role: 'ingest' });
    expect(findClient(tokens, 'another')).toEqual({ name: 'tanaka', role: 'triage' });
    expect(findClient(tokens, tokens[0].sha256)).toBeNull(); // the stored hash is not a token
    expect(findClient(tokens, token + 'x')).toBeNull();
  });

  it('new tokens are long, random and URL-safe', () => {
    const other = generateToken();
    expect(other).not.toBe(token);
    expect(token).toMatch(/^kansa_[A-Za-z0-9_-]{43}$/);
  });

  it('triage implies read; ingest is for senders only', () => {
    expect(roleAllows('triage', 'read')).toBe(true);
    expect(roleAllows('read', 'triage')).toBe(false);
    expect(roleAllows('ingest', 'read')).toBe(false);
    expect(roleAllows('triage', 'ingest')).toBe(false);
  });

  it('reads only a Bearer authorization header', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`Basic ${token}`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
