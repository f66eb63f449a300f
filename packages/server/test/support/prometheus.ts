// A scrape of `GET /metrics` parsed just enough for tests: HELP and TYPE per metric name, and each sample's value
// keyed by its name and labels as written (`name{a="x",b="y"}`).

export interface Scrape {
  text: string;
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Map<string, number>;
  /** The value of `name` with exactly these labels (order as given), or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** Every sample of `name`, with its label text. */
  series(name: string): Array<{ labels: string; value: number }>;
}

export function parseScrape(text: string): Scrape {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      help.set(name!, rest.join(' '));
    } else if (line.startsWith('# TYPE ')) {
      const [name, t] = line.slice(7).split(' ');
      type.set(name!, t!);
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      samples.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  }
  const key = (name: string, labels?: Record<string, string>) => {
    const entries = Object.entries(labels ?? {});
    return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  };
  return {
    text,
    help,
    type,
    samples,
    value: (name, labels) => samples.get(key(name, labels)),
    series: (name) =>
      [...samples].filter(([k]) => k === name || k.startsWith(`${name}{`)).map(([k, value]) => ({ labels: k.slice(name.length), value })),
  };
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return parseScrape(await res.text());
}
