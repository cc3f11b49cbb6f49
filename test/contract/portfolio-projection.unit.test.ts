import { describe } from 'vitest';
import { embeddedHarness } from '../support/runtimes.ts';
import { describePortfolioProjection } from './portfolio-projection-contract.ts';

describe('portfolio projection: embedded', () => {
  describePortfolioProjection(embeddedHarness);
});
