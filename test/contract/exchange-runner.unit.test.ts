import { describe } from 'vitest';
import { embeddedHarness } from '../support/runtimes.ts';
import { describeExchangeRunner } from './exchange-runner-contract.ts';

describe('virtual exchange service: embedded', () => {
  describeExchangeRunner(embeddedHarness);
});
