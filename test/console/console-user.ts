/**
 * A person using the API as the console does: the session cookie and the
 * CSRF token from the log-in (the browser keeps them the same way). A session
 * that ended while the test did something else (idle timeout) is opened again
 * with the password, as the person would log in again.
 */
export class ConsoleUser {
  private cookie = '';
  private password = '';
  csrf = '';

  constructor(
    readonly url: string,
    readonly name: string,
  ) {}

  /** Logs in; a one-time password is changed to `newPassword` first (as the console makes a person do). */
  static async login(url: string, name: string, password: string, newPassword?: string): Promise<ConsoleUser> {
    const user = new ConsoleUser(url, name);
    const res = await user.request('POST', '/api/session', { name, password });
    if (res.status !== 200) throw new Error(`log-in of ${name}: ${res.status} ${await res.text()}`);
    const session = (await res.json()) as { csrfToken: string; mustChangePassword: boolean };
    user.csrf = session.csrfToken;
    user.password = password;
    if (session.mustChangePassword && newPassword) {
      const changed = await user.request('POST', '/api/session/password', { current: password, next: newPassword });
      if (changed.status !== 200) throw new Error(`password change of ${name}: ${changed.status} ${await changed.text()}`);
      user.password = newPassword;
    }
    return user;
  }

  async request(method: string, path: string, body?: unknown, options: { csrf?: string | null } = {}): Promise<Response> {
    const res = await this.send(method, path, body, options);
    if (res.status !== 401 || path === '/api/session' || !this.password) return res;
    const again = await ConsoleUser.login(this.url, this.name, this.password);
    this.cookie = again.cookie;
    this.csrf = again.csrf;
    return this.send(method, path, body, options.csrf === undefined ? {} : options);
  }

  private async send(method: string, path: string, body: unknown, options: { csrf?: string | null }): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
}
