import { describe, expect, it } from 'vitest';
import type { ConnectionInfo } from '@switchboard/react';
import { indicatorLabel } from '../src/components/connection-indicator';

const info = (status: ConnectionInfo['status'], retryAt: number | null = null): ConnectionInfo => ({ status, retryAt, failures: 0, reason: null });

describe('the header indicator label', () => {
  it.each([
    [info('open'), 'Live'],
    [info('connecting'), 'Connecting…'],
    [info('reconnecting', 10_400), 'Reconnecting in 1s'],
    [info('reconnecting', 13_000), 'Reconnecting in 3s'],
    [info('reconnecting', 13_001), 'Reconnecting in 4s'],
    [info('reconnecting', 9_000), 'Reconnecting…'],
    [info('reconnecting'), 'Reconnecting…'],
    [info('polling', 20_000), 'Live updates unavailable — polling'],
    [info('closed'), 'Offline'],
  ])('%o at t=10 s reads %s', (i, label) => {
    expect(indicatorLabel(i, 10_000)).toBe(label);
  });

  it.each([
    [0, 'Live'],
    [999, 'Live'],
    [1_000, 'Live · 1.0s behind'],
    [2_449, 'Live · 2.4s behind'],
    [42_000, 'Live · 42s behind'],
    [300_000, 'Live · 5m behind'],
  ])('open and %i ms behind reads %s', (behindMs, label) => {
    expect(indicatorLabel(info('open'), 10_000, behindMs)).toBe(label);
  });

  it('says nothing about being behind when not live', () => {
    expect(indicatorLabel(info('polling'), 10_000, 5_000)).toBe('Live updates unavailable — polling');
  });
});
