/**
 * The page's one API client: JSON in and out of local/dashboard/server.ts. Errors are values
 * ({@link ApiError}) carrying the server's message.
 */

/** A response that was not 2xx; `body` is the parsed JSON error when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const message = (body as { error?: unknown } | undefined)?.error;
    super(typeof message === 'string' ? message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export const readJson = async (res: Response): Promise<unknown> => res.json().catch(() => undefined);

/** GETs a JSON resource; a non-2xx answer throws an {@link ApiError}. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  const body = await readJson(res);
  if (!res.ok) throw new ApiError(res.status, body);
  return body as T;
}

/** Sends JSON (the server refuses writes of any other content type) and returns status and body. */
export async function sendJson(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  payload: unknown,
  signal?: AbortSignal,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(path, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(payload),
    ...(signal ? { signal } : {}),
  });
  return { status: res.status, body: await readJson(res) };
}

export const isAbort = (e: unknown) => e instanceof DOMException && e.name === 'AbortError';
