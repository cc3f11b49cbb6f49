import { describe } from 'vitest';
import { embeddedHarness } from '../../support/runtimes.ts';
import { describeTrainerService } from './trainer-service-suite.ts';

describe('trainer service: embedded', () => {
  describeTrainerService(embeddedHarness);
});
