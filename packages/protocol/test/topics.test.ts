// Topic names and subscription patterns as tables: validity, matching, prefixes, families, query parsing.

import { describe, expect, it } from 'vitest';
import {
  MAX_TOPIC_LENGTH, familiesOf, familyOf, isValidPattern, isValidTopic, matchAny, matchTopic, parsePattern, splitTopics,
  topicPrefixes,
} from '../src/topics';

describe('matchTopic', () => {
  it.each<[string, string, boolean]>([
    ['*', 'agent.started', true],
    ['*', 'custom', true],
    ['agent.*', 'agent.started', true],
    ['agent.*', 'agent.permission_requested', true],
    ['agent.*', 'agent.sub.deep', true],
    ['agent.*', 'agent', false],
    ['agent.*', 'agents.started', false],
    ['agent.*', 'session.created', false],
    ['a.b.*', 'a.b.c', true],
    ['a.b.*', 'a.bc.d', false],
    ['a.b.*', 'a.b', false],
    ['agent.started', 'agent.started', true],
    ['agent.started', 'agent.started.x', false],
    ['agent.started', 'agent.start', false],
    ['agent.started', 'Agent.started', false],
  ])('%s matches %s: %s', (pattern, topic, expected) => {
    expect(matchTopic(pattern, topic)).toBe(expected);
  });
});

describe('matchAny', () => {
  it.each<[string[], string, boolean]>([
    [[], 'agent.started', false],
    [['session.*', 'agent.started'], 'agent.started', true],
    [['session.*', 'agent.started'], 'session.ended', true],
    [['session.*', 'agent.started'], 'agent.failed', false],
    [['*'], 'anything.at.all', true],
  ])('%j matches %s: %s', (patterns, topic, expected) => {
    expect(matchAny(patterns, topic)).toBe(expected);
  });

  it('accepts any iterable', () => {
    expect(matchAny(new Set(['task.*']), 'task.progress')).toBe(true);
  });
});

describe('parsePattern', () => {
  it.each([
    ['*', { kind: 'all' }],
    ['agent.*', { kind: 'prefix', prefix: 'agent' }],
    ['a.b.*', { kind: 'prefix', prefix: 'a.b' }],
    ['agent.started', { kind: 'exact', topic: 'agent.started' }],
    ['custom', { kind: 'exact', topic: 'custom' }],
  ])('%s parses to %j', (pattern, expected) => {
    expect(parsePattern(pattern)).toStrictEqual(expected);
  });
});

describe('isValidTopic', () => {
  it.each<[unknown, boolean]>([
    ['agent.started', true],
    ['custom', true],
    ['a.b.c', true],
    ['with-dash_and_9.x', true],
    ['', false],
    ['agent.', false],
    ['.agent', false],
    ['agent..started', false],
    ['agent.*', false],
    ['*', false],
    ['agent started', false],
    ['agent/started', false],
    ['é.x', false],
    ['a'.repeat(MAX_TOPIC_LENGTH), true],
    ['a'.repeat(MAX_TOPIC_LENGTH + 1), false],
    [42, false],
    [null, false],
    [undefined, false],
  ])('%j is valid: %s', (topic, expected) => {
    expect(isValidTopic(topic)).toBe(expected);
  });
});

describe('isValidPattern', () => {
  it.each<[unknown, boolean]>([
    ['*', true],
    ['agent.*', true],
    ['a.b.*', true],
    ['agent.started', true],
    ['custom', true],
    ['.*', false],
    ['*.*', false],
    ['agent.*.started', false],
    ['agent*', false],
    ['agent.', false],
    ['', false],
    ['**', false],
    [`${'a'.repeat(MAX_TOPIC_LENGTH - 2)}.*`, true],
    [`${'a'.repeat(MAX_TOPIC_LENGTH - 1)}.*`, false],
    [['agent.*'], false],
    [null, false],
  ])('%j is valid: %s', (pattern, expected) => {
    expect(isValidPattern(pattern)).toBe(expected);
  });
});

describe('familyOf', () => {
  it.each([
    ['agent.started', 'agent'],
    ['a.b.c', 'a'],
    ['custom', 'custom'],
  ])('%s is in family %s', (topic, family) => {
    expect(familyOf(topic)).toBe(family);
  });
});

describe('topicPrefixes', () => {
  it.each<[string, string[]]>([
    ['custom', []],
    ['agent.started', ['agent']],
    ['a.b.c', ['a', 'a.b']],
    ['a.b.c.d', ['a', 'a.b', 'a.b.c']],
  ])('%s has prefixes %j', (topic, prefixes) => {
    expect(topicPrefixes(topic)).toStrictEqual(prefixes);
  });

  it('gives exactly the prefixes whose `.*` pattern matches the topic', () => {
    for (const topic of ['a.b.c.d', 'agent.started', 'x']) {
      for (const prefix of topicPrefixes(topic)) expect(matchTopic(`${prefix}.*`, topic)).toBe(true);
    }
  });
});

describe('familiesOf', () => {
  it.each<[string[], Set<string> | '*']>([
    [[], new Set()],
    [['*'], '*'],
    [['agent.*', '*'], '*'],
    [['agent.*'], new Set(['agent'])],
    [['agent.started'], new Set(['agent'])],
    [['agent.*', 'agent.failed', 'session.created'], new Set(['agent', 'session'])],
    [['a.b.*'], new Set(['a'])],
    [['custom'], new Set(['custom'])],
  ])('%j reaches %j', (patterns, expected) => {
    expect(familiesOf(patterns)).toStrictEqual(expected);
  });
});

describe('splitTopics', () => {
  it.each<[string | null | undefined, string[]]>([
    [null, []],
    [undefined, []],
    ['', []],
    ['agent.*', ['agent.*']],
    ['task.*,search.completed', ['task.*', 'search.completed']],
    [' task.* , search.completed ', ['task.*', 'search.completed']],
    ['a,,b,', ['a', 'b']],
    [',', []],
  ])('%j splits into %j', (value, expected) => {
    expect(splitTopics(value)).toStrictEqual(expected);
  });
});
