// A tiny REST helper for tests against a real server: JSON in, {status, body, headers} out.

export interface RestAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** `token`, when it returns one, is sent as `Authorization: Bearer`. */
export function rest(baseUrl: () => string, token: () => string | undefined = () => undefined) {
  const call = async (method: string, path: string, body?: unknown, raw?: string): Promise<RestAnswer> => {
    const headers: Record<string, string> = {};
    if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
    const t = token();
    if (t) headers.authorization = `Bearer ${t}`;
    const res = await fetch(baseUrl() + path, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body?: unknown) => call('POST', path, body ?? {}),
    postRaw: (path: string, raw: string) => call('POST', path, undefined, raw),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    del: (path: string) => call('DELETE', path),
  };
}
