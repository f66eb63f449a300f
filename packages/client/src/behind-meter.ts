// How far behind the live fleet a client is, for "3 s behind" indicators (docs/architecture.md, "Keeping up with a
// busy fleet"): a page that reads slower than the fleet publishes applies events that were appended seconds ago.
// Measured from the server's `ts` of each applied event against the client's clock, relative to the smallest such
// difference seen, so a constant clock skew between server and client cancels out.

/** After this long without an event the last event's delay no longer says anything: a quiet fleet is not late. */
export const BEHIND_QUIET_MS = 5000;

export class BehindMeter {
  /** The smallest (received − ts) seen: transit time plus clock skew, the baseline of "on time". */
  #baseline = Infinity;
  /** How much later than the baseline the newest event arrived, and when it arrived. */
  #delay = 0;
  #receivedAt = 0;

  /** An event appended at `ts` (ISO) was applied at `receivedAt` (ms, client clock). */
  event(ts: string, receivedAt: number): void {
    const appended = Date.parse(ts);
    if (Number.isNaN(appended)) return;
    const late = receivedAt - appended;
    if (late < this.#baseline) this.#baseline = late;
    this.#delay = late - this.#baseline;
    this.#receivedAt = receivedAt;
  }

  /** A snapshot arrived: the state is the server's newest as of when it was sent. */
  caughtUp(): void {
    this.#delay = 0;
  }

  /** How late the newest applied event was (ms), at `now`; 0 once the stream has been quiet for a while. */
  delayMs(now: number): number {
    return now - this.#receivedAt > BEHIND_QUIET_MS ? 0 : this.#delay;
  }
}
