// Derived values of the client's state, recomputed only when their inputs change identity. The projections copy a
// family's slice only when one of its entities changes, so a list keyed on `state.agents` is left alone by the
// task and cost events of a busy fleet (docs/architecture.md, "Keeping up with a busy fleet").

/**
 * `fn` remembering its last arguments and result: called again with the same arguments (by `Object.is`), it
 * returns the same result without running.
 *
 * @example
 * const activeAgents = memoLast((agents: FleetState['agents']) => Object.values(agents).filter(isActive));
 * useStore((s) => activeAgents(s.agents));
 */
export function memoLast<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let last: { args: A; result: R } | null = null;
  return (...args: A): R => {
    if (last && last.args.length === args.length && last.args.every((a, i) => Object.is(a, args[i]))) return last.result;
    const result = fn(...args);
    last = { args, result };
    return result;
  };
}
