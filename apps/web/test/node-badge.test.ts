import { describe, expect, it } from 'vitest';
import { nodeLabel } from '../src/lib/node-label';

describe('the header node badge', () => {
  it('names the node of a cluster answer, with its lag when behind', () => {
    expect(nodeLabel({ status: 'ok', node_id: 'a', cluster: { lag: 0 } })).toBe('node a');
    expect(nodeLabel({ status: 'ok', node_id: 'b', cluster: { lag: 12 } })).toBe('node b (12 behind)');
  });
  it('shows nothing on a single node or for an odd answer', () => {
    expect(nodeLabel({ status: 'ok', epoch: 'e', seq: 3 })).toBeNull();
    expect(nodeLabel(null)).toBeNull();
    expect(nodeLabel({ node_id: 5 })).toBeNull();
  });
});
