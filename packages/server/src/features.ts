// The feature modules a server runs, in registration order. Each adds its routes, streams and log listeners.

import type { Feature } from './app';

/** Features beyond the event log itself (control plane, workspaces, plans, …) append themselves here. */
export const FEATURES: Feature[] = [];
