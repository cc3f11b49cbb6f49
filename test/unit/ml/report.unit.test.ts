import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderModelReport, trainModels } from '../../../src/ml/index.ts';
import { SMALL_SETTINGS } from '../signals/trained-models.ts';
import { fixtureBars } from './fixture-bars.ts';

describe('model report', () => {
  const trained = trainModels({
    bars: fixtureBars().slice(0, 4000),
    modelsDir: mkdtempSync(join(tmpdir(), 'cml-report-')),
    specs: [
      { model: 'random_forest', target: 'price_change' },
      { model: 'logistic_regression', target: 'trend' },
    ],
    settings: SMALL_SETTINGS,
  });

  it('shows scores against the baseline, the confusion matrix, predicted vs actual and importances', () => {
    const { artifact } = trained[0]!;
    const html = renderModelReport(artifact);
    expect(html).toContain(`<h1>${artifact.version}</h1>`);
    expect(html).toContain('last price / always HOLD');
    expect(html).toContain('class="confusion"');
    // Accuracy bars, reliability diagram, permutation importance, scatter, price, importances.
    expect(html.match(/<svg /g)?.length).toBe(6);
    expect(html).toContain('Reliability diagram');
    expect(html).toContain('isotonic (served)');
    for (const tier of artifact.validation?.tiers ?? []) expect(html).toContain(tier.verdict);
    expect(html).toContain('random at the model’s signal rate');
    expect(html).toContain('MA/RSI rule');
    for (const column of artifact.features.columns) expect(html).toContain(column);
    const confusionCells = artifact.metrics.signal.confusion.flat();
    expect(confusionCells.reduce((a, b) => a + b, 0)).toBe(artifact.training.testRows);
  });

  it('shows purged walk-forward folds with their spread when trained with them', () => {
    const artifact = trainModels({
      bars: fixtureBars().slice(0, 4000),
      modelsDir: mkdtempSync(join(tmpdir(), 'cml-report-cv-')),
      specs: [{ model: 'logistic_regression', target: 'trend' }],
      settings: { ...SMALL_SETTINGS, cvFolds: 3, labels: 'barrier' },
    })[0]?.artifact;
    const html = renderModelReport(artifact!);
    expect(html).toContain('Purged walk-forward cross-validation (3 folds)');
    expect(html).toContain('triple-barrier labels');
    expect(html.match(/ ± /g)?.length).toBeGreaterThanOrEqual(5);
    expect(artifact!.validation?.crossValidation?.folds).toHaveLength(3);
  });

  it('says when a model family has no importances', () => {
    expect(renderModelReport(trained[1]!.artifact)).toContain('Not available for this model family.');
  });
});
