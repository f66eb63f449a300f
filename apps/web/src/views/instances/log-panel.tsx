// The log tail panel: follows new lines (scrolls with them unless the reader scrolled up) and marks rotations.

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link } from '../../components/link';
import { StreamNote } from '../../components/stream-note';
import { useLogTail } from './use-log-tail';

export function LogPanel({ name }: { name: string }) {
  const live = useLogTail(name);
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [live.data.lines, follow]);
  useEffect(() => setFollow(true), [name]);
  const onScroll = () => {
    const el = box.current;
    if (el) setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  };
  return (
    <section className="panel log-panel" aria-labelledby="log-title">
      <div className="panel-head">
        <h2 id="log-title">
          Log · <span className="mono">{name}</span>
        </h2>
        <StreamNote live={live} name="logs" />
        <span className="spacer" />
        {!follow ? (
          <button type="button" className="small" onClick={() => setFollow(true)}>
            Follow
          </button>
        ) : null}
        <Link href="/instances" className="small-link">
          Close
        </Link>
      </div>
      {/* role=log without live announcements: a busy agent would otherwise make a screen reader read every line. */}
      <div className="log" role="log" aria-live="off" ref={box} onScroll={onScroll} tabIndex={0} aria-label={`Log of ${name}`} data-testid="log-tail">
        {live.data.lines.length === 0 ? <span className="muted">{live.data.loaded ? 'The log is empty.' : 'Loading…'}</span> : null}
        {live.data.lines.map((l) => (
          <div key={l.id} className={l.kind === 'line' ? 'log-line' : 'log-rotated'}>
            {l.text}
          </div>
        ))}
      </div>
    </section>
  );
}
