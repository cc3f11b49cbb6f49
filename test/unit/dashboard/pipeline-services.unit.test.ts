import { describe, expect, it } from 'vitest';
import { nameGroup, servicesOf } from '../../../src/dashboard/pipeline-services.ts';

describe('consumer groups named for a reader', () => {
  it('takes the service from the first segment and leaves store ids out of the name', () => {
    expect(nameGroup('portfolio-projection.83d52340.crypto.orders')).toEqual({
      service: 'portfolio-projection',
      name: 'crypto.orders',
    });
    expect(nameGroup('decision-engine.portfolio.market_data')).toEqual({
      service: 'decision-engine',
      name: 'portfolio.market_data',
    });
    expect(nameGroup('signals-processor')).toEqual({ service: 'signals-processor', name: '' });
    // Only a whole 8-hex-digit segment is a store id.
    expect(nameGroup('sweep-1.coordinator.deadbeef0')).toEqual({
      service: 'sweep-1',
      name: 'coordinator.deadbeef0',
    });
  });

  it('groups lags by service, summing them, most lag first', () => {
    const services = servicesOf([
      { group: 'decision-engine', topic: 'crypto.ml_signals', lag: 0 },
      { group: 'candle-projection.267dcac0.crypto.market_data', topic: 'crypto.market_data', lag: 0 },
      { group: 'virtual-exchange.orders', topic: 'crypto.orders', lag: 3 },
      { group: 'virtual-exchange.input', topic: 'crypto.market_data', lag: 4 },
      { group: 'decision-engine.orders', topic: 'crypto.orders', lag: 0 },
    ]);
    expect(services.map((s) => [s.service, s.lag, s.topics])).toEqual([
      ['virtual-exchange', 7, ['crypto.market_data', 'crypto.orders']],
      ['candle-projection', 0, ['crypto.market_data']],
      ['decision-engine', 0, ['crypto.ml_signals', 'crypto.orders']],
    ]);
    expect(services[1]?.groups).toEqual([
      {
        group: 'candle-projection.267dcac0.crypto.market_data',
        name: 'crypto.market_data',
        topic: 'crypto.market_data',
        lag: 0,
      },
    ]);
  });
});
