/** A small seeded PRNG (mulberry32) so generated data is the same for the same seed. */
export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number): boolean => next() < p,
  };
}
export type Random = ReturnType<typeof createRandom>;

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 20-character id like GHL's, unique per (seed, index) because the index is encoded in it. */
export function ghlId(rand: Random, index: number, prefix = ''): string {
  let body = '';
  let n = index;
  for (let i = 0; i < 6; i++) {
    body = ID_CHARS[n % 62] + body;
    n = Math.floor(n / 62);
  }
  let head = prefix;
  while (head.length < 14) head += ID_CHARS[rand.int(0, 61)];
  return head + body;
}
