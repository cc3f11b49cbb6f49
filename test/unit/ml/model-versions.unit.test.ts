import { describe, expect, it } from 'vitest';
import { fitModels, renderModelReport, versionRows, type ModelArtifact } from '../../../src/ml/index.ts';
import { fixtureBars } from './fixture-bars.ts';

const HOUR = 3_600_000;

describe('the model versions table (cml models)', () => {
  const [fitted] = fitModels({
    bars: fixtureBars().slice(0, 1_000),
    specs: [{ model: 'ma_rsi_rule', target: 'trend' }],
  }) as [Omit<ModelArtifact, 'version'>];
  const dataTo = fitted.training.dataTo;
  const version = (n: number, activeFrom?: number): ModelArtifact => ({
    ...fitted,
    version: `ma_rsi_rule.v${n}`,
    ...(activeFrom === undefined
      ? {}
      : {
          provenance: {
            activeFrom,
            dataFrom: 0,
            dataTo,
            bars: 1_000,
            topic: 'crypto.market_data',
            offsets: { '0': 1_000 },
            code: { packageVersion: '0.1.0', gitCommit: 'abcdef0123456789abcdef0123456789abcdef01' },
            scores: { r2: 0, mae: 0, accuracy: 0, baselineAccuracy: 0 },
            trainer: { windowMs: 0, intervalMs: 0 },
          },
        }),
  });
  // Given out of order: v1 by hand, v2 live from +1 h, v3 from +3 h.
  const artifacts = [version(3, dataTo + 3 * HOUR), version(1), version(2, dataTo + HOUR)];
  const statuses = (at: number, expiryMs = 0) =>
    versionRows(artifacts, at, expiryMs).map((row) => [row.version, row.status]);

  it('says which version is live at a time, which are superseded and which still to come', () => {
    expect(statuses(dataTo)).toEqual([
      ['ma_rsi_rule.v1', 'live'],
      ['ma_rsi_rule.v2', 'pending'],
      ['ma_rsi_rule.v3', 'pending'],
    ]);
    expect(statuses(dataTo + 2 * HOUR)).toEqual([
      ['ma_rsi_rule.v1', 'superseded'],
      ['ma_rsi_rule.v2', 'live'],
      ['ma_rsi_rule.v3', 'pending'],
    ]);
    expect(statuses(dataTo + 5 * HOUR, 4 * HOUR)).toEqual([
      ['ma_rsi_rule.v1', 'superseded'],
      ['ma_rsi_rule.v2', 'superseded'],
      ['ma_rsi_rule.v3', 'expired'],
    ]);
  });

  it('shows the provenance of the versions the trainer made', () => {
    const [byHand, trained] = versionRows(artifacts, dataTo);
    expect(byHand?.offsets).toBeUndefined();
    expect(trained).toMatchObject({
      offsets: { '0': 1_000 },
      code: '0.1.0@abcdef0123',
      activeFrom: dataTo + HOUR,
    });
  });

  it("the model report shows a trainer-made version's provenance", () => {
    const report = renderModelReport(version(2, dataTo + HOUR));
    expect(report).toContain('<h2>Provenance</h2>');
    expect(report).toContain('read up to offsets 0: 1000');
    expect(report).toContain('abcdef0123456789abcdef0123456789abcdef01');
    expect(renderModelReport(version(1))).not.toContain('Provenance');
  });
});
