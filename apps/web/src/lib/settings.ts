// Where the dashboard's server is and how to authenticate: the page's own origin, and a token given once as
// `?token=` (kept for the tab in sessionStorage, removed from the address bar so it is not shared by copy-paste).

const TOKEN_KEY = 'switchboard.token';

function readToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** The server's http(s) origin. */
export const SERVER_URL = window.location.origin;
/** The token for servers started with `--token`, if the page was opened with one. */
export const TOKEN = readToken();
/** Topics of the dashboard's SDK client: everything, so the activity feed shows every family. */
export const CLIENT_TOPICS = ['*'];
