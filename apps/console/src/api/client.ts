import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The console's one way to the API: a client typed by the types generated
 * from kansa's OpenAPI document (schema.d.ts, `npm run openapi`), so a page
 * cannot ask for a route, a parameter or a field the API does not have.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });

let csrfToken = '';
const unauthorizedListeners = new Set<(message: string) => void>();

/** The session's CSRF token, sent with every change (X-CSRF-Token). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when the API answers 401 (the session ended or expired): the console shows the log-in again. */
export function onUnauthorized(listener: (message: string) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && !request.url.endsWith('/api/session')) {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as { message?: string };
      for (const l of unauthorizedListeners) l(body.message ?? '');
    }
    return response;
  },
};
api.use(session);

/** An answer that is not 2xx: the status and the API's message (日本語 (english)). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The data of an answer, or an ApiError with the API's own message. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { message?: string | string[] };
  const message = Array.isArray(body.message) ? body.message.join(' / ') : (body.message ?? `エラー (HTTP ${response.status})`);
  throw new ApiError(response.status, message, error);
}

/** Downloads an API file (CSV, PDF, a report) with the session: a link would not carry the purpose check's answer. */
export async function download(path: string, fallbackName: string): Promise<void> {
  const response = await fetch(path, { credentials: 'same-origin' });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { message?: string };
    throw new ApiError(response.status, body.message ?? `エラー (HTTP ${response.status})`, body);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
