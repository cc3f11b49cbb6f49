import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Seeded random draws for the simulator: the same seed gives the same market, run after run. */
export class SeededRandom {
  private readonly rng;
  private spare: number | undefined;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(Math.imul(seed | 0, 0x9e3779b1) ^ 0x5bd1e995);
    // The first outputs of a xoroshiro generator from a small seed are poorly mixed.
    for (let i = 0; i < 16; i++) uniformFloat64(this.rng);
  }

  uniform(): number {
    return uniformFloat64(this.rng);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const factor = Math.sqrt((-2 * Math.log(s)) / s);
        this.spare = v * factor;
        return u * factor;
      }
    }
  }

  /** Student-t with `degrees` degrees of freedom, scaled to unit variance: fat tails. */
  studentT(degrees: number): number {
    let chiSquare = 0;
    for (let i = 0; i < degrees; i++) chiSquare += this.normal() ** 2;
    return (this.normal() / Math.sqrt(chiSquare / degrees)) * Math.sqrt((degrees - 2) / degrees);
  }
}
