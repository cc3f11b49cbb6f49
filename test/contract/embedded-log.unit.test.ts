import { describe } from 'vitest';
import { embeddedHarness } from '../support/runtimes.ts';
import { describeLogContract } from './log-contract.ts';

describe('log contract: embedded (LMDB)', () => {
  describeLogContract(embeddedHarness);
});
