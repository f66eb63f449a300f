// URLs of the streams the views follow, on the page's own server (token added when the page has one).

import { streamUrl } from '@switchboard/react';
import { SERVER_URL, TOKEN } from './settings';

/** `ws(s)://<page host><path>?<query>[&token=…]`. */
export function wsUrl(path: string, query: Record<string, string | undefined> = {}): string {
  return streamUrl(SERVER_URL, path, query, TOKEN);
}
