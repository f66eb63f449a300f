// The feature modules a server runs, in registration order. Each adds its routes, streams and log listeners.

import type { Feature } from './app';
import { controlPlane } from './features/control-plane';
import { plansFeature } from './features/plans';
import { webDashboard } from './features/web-dashboard';
import { workspacesFeature } from './features/workspaces';

/** Features beyond the event log itself (control plane, workspaces, plans, …) append themselves here. */
export const FEATURES: Feature[] = [controlPlane, workspacesFeature, plansFeature, webDashboard];
