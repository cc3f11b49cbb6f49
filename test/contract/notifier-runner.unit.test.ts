import { describe } from 'vitest';
import { embeddedHarness } from '../support/runtimes.ts';
import { describeNotifierRunner } from './notifier-runner-contract.ts';

describe('Discord notifier: embedded', () => {
  describeNotifierRunner(embeddedHarness);
});
