// Memory bounds of the projections: the server runs for weeks, so finished records are capped per slice.
// Active records (running agents and tasks, active sessions) are never evicted; evict.ts says which finished one goes.

/** Ended sessions kept in `sessions`; beyond this the least recently ended is evicted. @default 500 */
export const MAX_ENDED_SESSIONS = 500;
/** Completed or failed agents kept in `agents`. @default 1000 */
export const MAX_FINISHED_AGENTS = 1000;
/** Completed or failed tasks kept in `tasks`. @default 500 */
export const MAX_FINISHED_TASKS = 500;
/** Documents kept in `documents` (every document counts: indexing has no "active" phase). @default 500 */
export const MAX_DOCUMENTS = 500;
/** Searches kept in `searches`. @default 500 */
export const MAX_SEARCHES = 500;
/**
 * Sessions with a cost breakdown in `metrics.by_session`; beyond this the session charged least recently is dropped
 * (the fleet totals keep its cost). @default 1000
 */
export const MAX_SESSION_COSTS = 1000;
