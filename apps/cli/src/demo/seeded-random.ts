// A small seeded random source (mulberry32), so a demo run is reproducible from its seed.

/** A random source in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/**
 * Deterministic random numbers in [0, 1) from a 32-bit seed (mulberry32: fast, good enough for a simulation).
 * @example const random = createSeededRandom(42); random(); // same sequence every run
 */
export function createSeededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over a random source; they take values and return values so the simulator stays testable. */
export interface Dice {
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A float in [min, max). */
  float(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A key chosen with probability proportional to its weight; null when every weight is 0. */
  weighted<K extends string>(weights: Record<K, number>): K | null;
  /** `length` lowercase base-36 characters. */
  token(length: number): string;
}

export function createDice(random: RandomSource): Dice {
  const dice: Dice = {
    chance: (p) => random() < p,
    int: (min, max) => min + Math.floor(random() * (max - min + 1)),
    float: (min, max) => min + random() * (max - min),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick() needs a non-empty array');
      return items[Math.floor(random() * items.length)]!;
    },
    weighted: (weights) => {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      const total = entries.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
      if (total <= 0) return null;
      let roll = random() * total;
      for (const [key, w] of entries) {
        roll -= Math.max(0, w);
        if (roll < 0) return key;
      }
      return entries[entries.length - 1]![0];
    },
    token: (length) => {
      let out = '';
      for (let i = 0; i < length; i++) out += Math.floor(random() * 36).toString(36);
      return out;
    },
  };
  return dice;
}
