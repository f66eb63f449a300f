// The activity feed's one-line descriptions: plan steps are numbered from 1, as the plan view shows them.
import { describe, expect, it } from 'vitest';
import type { SwitchboardEvent } from '@switchboard/client';
import { describeEvent } from '../src/lib/describe-event';

const ev = (topic: string, data: Record<string, unknown>) => ({ topic, data, seq: 1, id: 'e1', ts: '2026-01-01T00:00:00Z' }) as unknown as SwitchboardEvent;

describe('describeEvent', () => {
  it('numbers plan steps from 1', () => {
    expect(describeEvent(ev('plan.step_status', { plan_id: 'plan-1', step_index: 0, status: 'running' }))).toBe('plan-1 step 1 running');
    expect(describeEvent(ev('plan.step_status', { plan_id: 'plan-1', step_index: 3, status: 'failed' }))).toBe('plan-1 step 4 failed');
    expect(describeEvent(ev('plan.failed', { plan_id: 'plan-1', error: 'step 4 "publish" failed: exit code 1' }))).toBe('plan-1 step 4 "publish" failed: exit code 1');
  });
});
