// Long-running commands (serve, cluster up) stop on the first SIGINT or SIGTERM and then shut down in order.

/** Resolves with the first SIGINT or SIGTERM; the handlers are removed so a second one falls to Node's default. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
