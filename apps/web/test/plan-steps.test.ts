import { describe, expect, it } from 'vitest';
import { parseSteps } from '../src/views/plans/parse-steps';

describe('parseSteps', () => {
  it('reads `name: command` lines and names bare commands by position', () => {
    expect(parseSteps('lint: npm run lint\n\n  echo hi: there  \ntest: npm test -- --run')).toEqual([
      { name: 'lint', command: 'npm run lint' },
      { name: 'echo hi', command: 'there' },
      { name: 'test', command: 'npm test -- --run' },
    ]);
    expect(parseSteps('make all')).toEqual([{ name: 'step 1', command: 'make all' }]);
  });
});
