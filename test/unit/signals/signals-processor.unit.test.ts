import { describe } from 'vitest';
import { embeddedHarness } from '../../support/runtimes.ts';
import { describeSignalsProcessor } from './signals-processor-suite.ts';

describe('signals processor: embedded', () => {
  describeSignalsProcessor(embeddedHarness);
});
