import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import { CmlError } from '../../../src/errors/index.ts';

const configFile = (content: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'cml-config-')), 'cml.config.json');
  writeFileSync(file, content);
  return file;
};

const errorOf = (fn: () => unknown): CmlError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CmlError) return error;
    throw error;
  }
  throw new Error('expected a CmlError');
};

describe('loadConfig', () => {
  it('has the spec defaults with no file and no environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.runtime).toBe('embedded');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.registry.compatibility).toBe('BACKWARD');
  });

  it('reads a file, lets the environment win, and flags win over both', () => {
    const file = configFile(
      JSON.stringify({ runtime: 'kafka', kafka: { brokers: ['a:1'] }, dataDir: '/from-file' }),
    );
    const config = loadConfig({
      file,
      env: { KAFKA_BROKERS: 'b:2, c:3' },
      overrides: { dataDir: '/from-flag' },
    });
    expect(config.runtime).toBe('kafka');
    expect(config.kafka.brokers).toEqual(['b:2', 'c:3']);
    expect(config.dataDir).toBe('/from-flag');
  });

  it('names the bad key, where it came from, and the value', () => {
    const error = errorOf(() => loadConfig({ env: { KAFKA_CONNECTION_TIMEOUT_MS: 'soon' } }));
    expect(error.code).toBe('CML_CONFIG_INVALID');
    expect(error.message).toContain(
      'kafka.connectionTimeoutMs, from environment variable KAFKA_CONNECTION_TIMEOUT_MS',
    );
    expect(error.message).toContain('"soon"');
  });

  it.each([
    ['DECISION_COOLDOWN_MS', ' ', 'decision.cooldownMs'],
    ['DECISION_MAX_POSITION_PCT', '0x10', 'decision.maxPositionPct'],
    ['DECISION_BUY_THRESHOLD_PCT', '1e309', 'decision.buyThresholdPct'],
    ['DECISION_TAKE_PROFIT_PCT', '1e300', 'decision.takeProfitPct'],
    ['ML_TREES', '1e20', 'ml.trees'],
    ['CML_API_PORT', 'Infinity', 'api.port'],
    ['EXCHANGE_INITIAL_CASH', '1e300', 'exchange.initialCash'],
    ['KAFKA_CONNECTION_TIMEOUT_MS', '99999999999', 'kafka.connectionTimeoutMs'],
  ])(
    'refuses %s=%j: every number finite and bounded, blank is not 0, hex is not decimal (regression)',
    (variable, value, key) => {
      expect(errorOf(() => loadConfig({ env: { [variable]: value } })).message).toContain(key);
    },
  );

  it('reads the ML labels, class weights, calibration and folds, naming a bad one', () => {
    const config = loadConfig({
      env: { ML_LABELS: 'barrier', ML_CLASS_WEIGHT: 'none', ML_CALIBRATION: 'platt', ML_CV_FOLDS: '5' },
    });
    expect(config.ml).toMatchObject({
      labels: 'barrier',
      classWeight: 'none',
      calibration: 'platt',
      cvFolds: 5,
    });
    expect(loadConfig({ env: {} }).ml).toMatchObject({
      labels: 'band',
      classWeight: 'balanced',
      calibration: 'isotonic',
      cvFolds: 0,
    });
    expect(errorOf(() => loadConfig({ env: { ML_LABELS: 'triple' } })).message).toContain('ml.labels');
    expect(errorOf(() => loadConfig({ env: { ML_CV_FOLDS: '50' } })).message).toContain('ml.cvFolds');
  });

  it('refuses a blank number in the file (it was read as 0)', () => {
    const file = configFile(JSON.stringify({ decision: { cooldownMs: '' } }));
    expect(errorOf(() => loadConfig({ file, env: {} })).message).toContain('decision.cooldownMs');
  });

  it('refuses an API key no client could send: blank, or padded with whitespace (regression)', () => {
    for (const key of [' '.repeat(20), `${'k'.repeat(20)} `, `\t${'k'.repeat(20)}`]) {
      const error = errorOf(() => loadConfig({ env: { CML_API_KEY: key } }));
      expect(error.message).toContain('api.key');
      expect(error.message).toContain('must not be blank or start or end with whitespace');
      expect(error.message).not.toContain('kkkk');
    }
    expect(loadConfig({ env: { CML_API_KEY: 'k'.repeat(20) } }).api.key).toBe('k'.repeat(20));
  });

  it('refuses a blank SASL password', () => {
    const env = { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: '   ' };
    expect(errorOf(() => loadConfig({ env })).message).toContain('kafka.sasl.password');
  });

  it('refuses unknown keys in the file by name', () => {
    const file = configFile(JSON.stringify({ kafka: { broker: ['a:1'] } }));
    const error = errorOf(() => loadConfig({ file, env: {} }));
    expect(error.message).toContain(`kafka (broker), from config file ${file}`);
  });

  it('says when the file is not JSON', () => {
    const file = configFile('{ runtime: kafka');
    expect(errorOf(() => loadConfig({ file, env: {} })).code).toBe('CML_CONFIG_FILE_UNREADABLE');
  });
});
