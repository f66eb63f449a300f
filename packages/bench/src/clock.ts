// The shared clock of publisher and subscribers: CLOCK_MONOTONIC via process.hrtime, which is one clock for every
// process on the machine, so a stamp taken in the publisher is comparable in any generator process.

/** Monotonic milliseconds (µs resolution), comparable across processes on one machine. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
