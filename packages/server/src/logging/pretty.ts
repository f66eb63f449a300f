// The readable form of a log line for a terminal: `12:00:01.234 INFO  msg key=value …`. A few lines of code
// instead of a formatting dependency; anything that is not a JSON object passes through unchanged.

const LEVEL_TEXT: Record<string, string> = {
  fatal: 'FATAL', error: 'ERROR', warn: 'WARN ', info: 'INFO ', debug: 'DEBUG', trace: 'TRACE',
};

export function formatPretty(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return jsonLine.trimEnd();
  }
  const { level, time, msg, ...fields } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : '';
  const lvl = typeof level === 'string' && Object.hasOwn(LEVEL_TEXT, level) ? LEVEL_TEXT[level] : String(level);
  const rest = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return [clock, lvl, msg ?? '', rest].filter((p) => p !== '').join(' ');
}
