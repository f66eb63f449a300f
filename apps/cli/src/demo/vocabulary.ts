// Words the fleet simulator builds its events from: session names, agent roles, tool calls, documents, queries.
// Kept apart from the engine so the engine reads as a state machine.

/** Agent runtimes a session can target (the tools of the original clients, docs/compatibility.md). */
export const TARGETS = ['claude', 'codex', 'gemini'] as const;
export type Target = (typeof TARGETS)[number];

/** USD per million tokens (input, output) by target; close enough to list prices to make the cost line believable. */
export const PRICE_PER_MILLION: Record<Target, { in: number; out: number }> = {
  claude: { in: 3, out: 15 },
  codex: { in: 1.25, out: 10 },
  gemini: { in: 1.25, out: 10 },
};

export const SESSION_VERBS = ['fix', 'add', 'refactor', 'migrate', 'speed-up', 'document', 'test', 'harden'] as const;
export const SESSION_NOUNS = [
  'login-redirect', 'rate-limiter', 'billing-webhooks', 'search-index', 'csv-export', 'flaky-e2e',
  'auth-middleware', 'image-resizer', 'onboarding-flow', 'cache-layer', 'audit-log', 'api-pagination',
] as const;

export const AGENT_ROLES = ['planner', 'coder', 'reviewer', 'tester', 'researcher', 'docs-writer'] as const;

export const FILES = [
  'src/server/routes.ts', 'src/auth/session.ts', 'src/db/migrations/0042_add_index.sql', 'src/lib/cache.ts',
  'src/components/Dashboard.tsx', 'test/api.test.ts', 'README.md', 'package.json', 'src/jobs/worker.ts',
] as const;

export const TOOL_ACTIONS = [
  (file: string) => `Read ${file}`,
  (file: string) => `Edit ${file}`,
  (file: string) => `Write ${file}`,
  (file: string) => `Grep "TODO" in ${file}`,
  () => 'Bash: npm test',
  () => 'Bash: npx tsc --noEmit',
  () => 'Bash: git diff --stat',
  () => 'WebFetch: docs for the HTTP client',
] as const;

export const PERMISSION_REQUESTS = [
  'Allow Bash: npm install zod?',
  'Allow Bash: rm -rf dist?',
  'Allow Write outside the workspace: ~/.npmrc?',
  'Allow Bash: git push origin HEAD?',
  'Allow WebFetch: api.github.com?',
] as const;

export const FAILURES = [
  'tests failed: 3 of 128',
  'type error in src/auth/session.ts',
  'tool call timed out after 120 s',
  'context window exceeded',
] as const;

export const SWARM_GOALS = [
  'parallelise the test fixes',
  'review and land the migration',
  'split the refactor by module',
  'research options, then implement',
] as const;

export const DOCUMENTS = [
  'architecture.md', 'runbook-payments.pdf', 'api-reference.html', 'postmortem-2026-03.md', 'design-search-v2.pdf',
  'onboarding-guide.docx', 'security-review.md',
] as const;

export const QUERIES = [
  'how do we rotate api keys', 'retry policy for webhooks', 'where is the session cookie set',
  'p99 latency of search', 'who owns the billing service', 'feature flags for onboarding',
] as const;

export const TASK_FAILURES = ['embedding service unavailable', 'document is password protected', 'index shard timed out'] as const;
