import { describe, expect, it } from 'vitest';
import { checkEventData, type EventInput } from '@switchboard/protocol';
import { createFleetSimulator, type FleetSimulatorOptions } from '../src/demo/fleet-simulator';
import { createSeededRandom } from '../src/demo/seeded-random';

/** Run a simulator on a fake clock for `seconds`, ticking every 200 ms; returns every published event in order. */
function simulate(seconds: number, options: Partial<FleetSimulatorOptions> & { seed?: number } = {}) {
  let t = 0;
  const published: EventInput[] = [];
  const batches: EventInput[][] = [];
  const sim = createFleetSimulator({
    publish: (batch) => {
      batches.push(batch);
      published.push(...batch);
    },
    random: createSeededRandom(options.seed ?? 1),
    now: () => t,
    ...options,
  });
  for (let elapsed = 0; elapsed < seconds * 1000; elapsed += 200) {
    t += 200;
    sim.tick();
  }
  return { sim, published, batches, advance: (ms: number) => (t += ms) };
}

const dataOf = (e: EventInput) => e.data as Record<string, any>;

describe('fleet simulator', () => {
  it('emits only events whose data passes the catalogue check', () => {
    const { published } = simulate(600, { seed: 3 });
    expect(published.length).toBeGreaterThan(3000);
    for (const e of published) expect(checkEventData(e.topic, e.data), `${e.topic} ${JSON.stringify(e.data)}`).toEqual({ ok: true });
  });

  it('covers every family the dashboards show', () => {
    const { published } = simulate(600, { seed: 4 });
    const topics = new Set(published.map((e) => e.topic));
    for (const topic of [
      'session.created', 'session.ended', 'agent.started', 'agent.action', 'agent.completed', 'agent.failed',
      'agent.permission_requested', 'swarm.formed', 'swarm.updated', 'swarm.dissolved', 'metrics.cost_updated',
      'task.started', 'task.progress', 'task.completed', 'task.failed', 'document.indexed', 'search.completed',
    ]) {
      expect(topics, topic).toContain(topic);
    }
  });

  it('publishes about rate × seconds events, one batch per tick', () => {
    const { published, batches } = simulate(60, { rate: 8 });
    expect(published.length).toBeGreaterThanOrEqual(8 * 60 - 5);
    expect(published.length).toBeLessThanOrEqual(8 * 60 + 5);
    expect(batches.every((b) => b.length > 0 && b.length <= 8)).toBe(true);
  });

  it('moves each task from 0 up to 100 monotonically, ending in completed at 100 or failed with an error', () => {
    const { published } = simulate(600, { seed: 5 });
    const tasks = new Map<string, { percents: number[]; end?: EventInput }>();
    for (const e of published.filter((x) => x.topic.startsWith('task.'))) {
      const d = dataOf(e);
      if (e.topic === 'task.started') {
        expect(tasks.has(d.id)).toBe(false);
        expect(d.percent).toBe(0);
        tasks.set(d.id, { percents: [0] });
        continue;
      }
      const task = tasks.get(d.id)!;
      expect(task, `${e.topic} before task.started`).toBeDefined();
      expect(task.end, `${e.topic} after the task ended`).toBeUndefined();
      if (e.topic === 'task.progress') {
        expect(d.percent).toBeGreaterThan(task.percents.at(-1)!);
        expect(d.percent).toBeLessThan(100);
        task.percents.push(d.percent);
      } else if (e.topic === 'task.completed') {
        expect(d.percent).toBe(100);
        task.end = e;
      } else {
        expect(e.topic).toBe('task.failed');
        expect(typeof d.error).toBe('string');
        expect(d.percent).toBe(task.percents.at(-1));
        task.end = e;
      }
    }
    const ended = [...tasks.values()].filter((t) => t.end);
    expect(ended.filter((t) => t.end!.topic === 'task.completed').length).toBeGreaterThan(20);
    expect(ended.filter((t) => t.end!.topic === 'task.completed').every((t) => t.percents.length >= 2)).toBe(true);
  });

  it('reports per-step costs whose running total only grows', () => {
    const { published } = simulate(300, { seed: 6 });
    const costs = published.filter((e) => e.topic === 'metrics.cost_updated').map(dataOf);
    expect(costs.length).toBeGreaterThan(100);
    let total = 0;
    for (const c of costs) {
      expect(c.cost_usd).toBeGreaterThan(0);
      expect(c.tokens_in).toBeGreaterThan(0);
      expect(c.tokens_out).toBeGreaterThan(0);
      expect(c.total_cost_usd).toBeGreaterThan(total);
      expect(c.total_cost_usd).toBeCloseTo(total + c.cost_usd, 5);
      total = c.total_cost_usd;
    }
  });

  it.each([1, 3, 6])('keeps at most %i sessions alive and their agents inside them', (maxSessions) => {
    const { published } = simulate(600, { seed: 7, maxSessions });
    const live = new Set<string>();
    const agents = new Map<string, string>();
    let peak = 0;
    for (const e of published) {
      const d = dataOf(e);
      if (e.topic === 'session.created') live.add(d.id);
      if (e.topic === 'session.ended') {
        expect(live.has(d.id)).toBe(true);
        expect([...agents.values()], 'session ended with agents still running').not.toContain(d.id);
        live.delete(d.id);
      }
      if (e.topic === 'agent.started') {
        expect(live.has(d.session_id)).toBe(true);
        agents.set(d.id, d.session_id);
      }
      if (e.topic === 'agent.action' || e.topic === 'agent.permission_requested') expect(agents.has(d.id)).toBe(true);
      if (e.topic === 'agent.completed' || e.topic === 'agent.failed') agents.delete(d.id);
      peak = Math.max(peak, live.size);
    }
    expect(peak).toBe(maxSessions);
    const created = published.filter((e) => e.topic === 'session.created').length;
    expect(created, 'sessions come and go').toBeGreaterThan(maxSessions * 3);
  });

  it('forms swarms from live agents and dissolves them', () => {
    const { published } = simulate(600, { seed: 8 });
    const agents = new Set<string>();
    const swarms = new Set<string>();
    for (const e of published) {
      const d = dataOf(e);
      if (e.topic === 'agent.started') agents.add(d.id);
      if (e.topic === 'agent.completed' || e.topic === 'agent.failed') agents.delete(d.id);
      if (e.topic === 'swarm.formed' || e.topic === 'swarm.updated') {
        expect(d.agents.length).toBeGreaterThanOrEqual(2);
        for (const id of d.agents) expect(agents.has(id), `${e.topic} names a finished agent`).toBe(true);
        swarms.add(d.id);
      }
      if (e.topic === 'swarm.dissolved') {
        expect(swarms.delete(d.id)).toBe(true);
      }
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = simulate(120, { seed: 42 }).published;
    const b = simulate(120, { seed: 42 }).published;
    const c = simulate(120, { seed: 43 }).published;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('winds down on stop: everything alive ends, and nothing more is published', () => {
    const run = simulate(30, { seed: 9 });
    const last = run.sim.stop();
    expect(last.length).toBeGreaterThan(0);
    for (const e of last) expect(checkEventData(e.topic, e.data)).toEqual({ ok: true });
    const created = run.published.filter((e) => e.topic === 'session.created').length;
    const ended = run.published.filter((e) => e.topic === 'session.ended').length;
    expect(ended).toBe(created);
    const started = run.published.filter((e) => e.topic === 'task.started').length;
    const finished = run.published.filter((e) => e.topic === 'task.completed' || e.topic === 'task.failed').length;
    expect(finished).toBe(started);
    expect(run.sim.stop()).toEqual([]);
  });

  it('does not burst after a long pause: a tick emits at most two seconds of events', () => {
    const run = simulate(1, { rate: 10 });
    run.advance(60_000);
    expect(run.sim.tick().length).toBeLessThanOrEqual(22);
  });

  it('ticks on its own between start() and stop()', async () => {
    const batches: EventInput[][] = [];
    const sim = createFleetSimulator({ publish: (b) => batches.push(b), rate: 200, tickIntervalMs: 10 });
    sim.start();
    expect(sim.isRunning()).toBe(true);
    await expect.poll(() => batches.length, { timeout: 5000 }).toBeGreaterThan(2);
    sim.stop({ windDown: false });
    expect(sim.isRunning()).toBe(false);
    expect(sim.emitted).toBe(batches.flat().length);
  });

  it('rejects a rate that is not a positive number', () => {
    expect(() => createFleetSimulator({ publish: () => {}, rate: 0 })).toThrow(/rate/);
    expect(() => createFleetSimulator({ publish: () => {}, rate: Number.NaN })).toThrow(/rate/);
  });
});

describe('fleet simulator: permission requests answered in the inbox', () => {
  it('names the tool and summary, and gives the approval a timeout', () => {
    const { published } = simulate(600, { seed: 5 });
    const requests = published.filter((e) => e.topic === 'agent.permission_requested').map(dataOf);
    expect(requests.length).toBeGreaterThan(0);
    for (const r of requests) {
      expect(r.tool).toMatch(/^(Bash|Write|WebFetch)$/);
      expect(r.summary).not.toMatch(/^Allow|\?$/);
      expect(r.timeout_s).toBe(90);
    }
  });

  it('with awaitDecisions, a waiting agent does nothing until decide(), then acts on the answer', () => {
    let t = 0;
    const published: EventInput[] = [];
    const sim = createFleetSimulator({ publish: (b) => published.push(...b), random: createSeededRandom(11), now: () => t, awaitDecisions: true });
    const run = (seconds: number) => {
      for (let e = 0; e < seconds * 1000; e += 200) {
        t += 200;
        sim.tick();
      }
    };
    run(300);
    const asked = published.filter((e) => e.topic === 'agent.permission_requested').map(dataOf);
    expect(asked.length).toBeGreaterThan(0);
    // Every agent that asked and was not answered stays silent: nothing after its request.
    for (const r of asked) {
      const at = published.findIndex((e) => e.topic === 'agent.permission_requested' && dataOf(e).id === r.id);
      const later = published.slice(at + 1).filter((e) => e.topic.startsWith('agent.') && dataOf(e).id === r.id && dataOf(e).detail !== 'demo stopped');
      expect(later).toEqual([]);
    }
    const [denied, allowed] = asked;
    sim.decide(denied!.id, 'deny');
    if (allowed) sim.decide(allowed.id, 'allow');
    const before = published.length;
    run(60);
    const after = published.slice(before);
    expect(after.some((e) => e.topic === 'agent.action' && dataOf(e).id === denied!.id && dataOf(e).detail === 'permission denied, skipping that step')).toBe(true);
    if (allowed) expect(after.some((e) => e.topic === 'agent.action' && dataOf(e).id === allowed.id && dataOf(e).detail === 'permission granted, continuing')).toBe(true);
  });

  it('splits a request into tool and summary', async () => {
    const { permissionParts } = await import('../src/demo/fleet-simulator');
    expect(permissionParts('Allow Bash: rm -rf dist?')).toEqual({ tool: 'Bash', summary: 'rm -rf dist' });
    expect(permissionParts('Allow Write outside the workspace: ~/.npmrc?')).toEqual({ tool: 'Write', summary: '~/.npmrc' });
    expect(permissionParts('something else')).toEqual({ tool: 'permission', summary: 'something else' });
  });
});
