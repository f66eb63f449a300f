// The feature modules a server runs, in registration order. Each adds its routes, streams and log listeners.

import type { Feature } from './app';
import { approvalsFeature } from './features/approvals';
import { controlPlane } from './features/control-plane';
import { plansFeature } from './features/plans';
import { webDashboard } from './features/web-dashboard';
import { workspacesFeature } from './features/workspaces';

/**
 * Features beyond the event log itself (control plane, workspaces, plans, …) append themselves here. Order matters:
 * the control plane comes first because workspace sessions run on its supervisor (and its restart-on-boot must be
 * done before workspaces reconcile their sessions); close hooks run in reverse, so workspaces let go of the
 * supervisor before it shuts down.
 */
export const FEATURES: Feature[] = [controlPlane, workspacesFeature, plansFeature, approvalsFeature, webDashboard];
