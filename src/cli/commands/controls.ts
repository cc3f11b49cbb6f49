import { userInfo } from 'node:os';
import { Command } from 'commander';
import { HttpOperatorControls, type ControlsView } from '../../controls/index.ts';
import type { CommandContext } from '../context.ts';

interface ApiOptions {
  url?: string;
  by?: string;
}

/** The API this configuration serves (a wildcard listen address is reached on loopback). */
const defaultUrl = (ctx: CommandContext): string => {
  const { host, port } = ctx.config.api;
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
};

const operatorName = (): string => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
};

const time = (ms: number | null): string => (ms === null ? 'not yet' : new Date(ms).toISOString());

function printView(view: ControlsView): void {
  console.log(`entries: ${view.entriesPaused ? 'PAUSED for every symbol' : 'open'}`);
  if (view.pausedSymbols.length > 0) console.log(`paused symbols: ${view.pausedSymbols.join(', ')}`);
  if (view.controls.length === 0) return console.log('no controls yet');
  console.log('controls (newest first; "applies from" is the signal time the decision engine recorded):');
  for (const c of view.controls)
    console.log(
      `  ${time(c.requestedAt)}  ${c.action.padEnd(14)} ${(c.symbol ?? 'all').padEnd(10)} by ${c.requestedBy}` +
        `  applies from ${time(c.appliesFrom)}${c.reason === null ? '' : `  (${c.reason})`}`,
    );
}

/**
 * `cml controls`: pause and resume entries, force-close a position, and list the controls, through
 * the HTTP API of the running pipeline (it owns the log; every request becomes an event in
 * crypto.controls). The mutating commands need the API key (CML_API_KEY or api.key).
 */
export function controlsCommand(context: () => CommandContext): Command {
  const controls = new Command('controls').description(
    "operators' controls of the running pipeline, through its API: pause, resume, close, list",
  );
  const client = (opts: ApiOptions): HttpOperatorControls => {
    const ctx = context();
    return new HttpOperatorControls(opts.url ?? defaultUrl(ctx), ctx.config.api.key);
  };
  const withApi = (command: Command): Command =>
    command
      .option('--url <url>', "the pipeline's API (default: api.host and api.port of the configuration)")
      .option('--by <name>', 'who asks, as the log records it (default cli:<your user name>)');

  withApi(
    controls
      .command('pause')
      .description(
        'stop new entries (BUYs) of one symbol, or of every symbol; open positions keep their exits',
      )
      .option('--symbol <symbol>', 'only this pair, e.g. BTCUSDT')
      .option('--reason <text>', 'why, for the record'),
  ).action(async (opts: ApiOptions & { symbol?: string; reason?: string }) => {
    await client(opts).pauseEntries({
      by: opts.by ?? operatorName(),
      ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
      ...(opts.reason === undefined ? {} : { reason: opts.reason }),
    });
    console.log(
      `pause of ${opts.symbol ?? 'every symbol'} requested: it applies from the next signal the decision engine decides`,
    );
  });

  withApi(
    controls
      .command('resume')
      .description('lift a pause of the same scope: --symbol for one pair, none for every symbol')
      .option('--symbol <symbol>', 'only this pair, e.g. BTCUSDT'),
  ).action(async (opts: ApiOptions & { symbol?: string }) => {
    await client(opts).resumeEntries({
      by: opts.by ?? operatorName(),
      ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
    });
    console.log(`resume of ${opts.symbol ?? 'every symbol'} requested`);
  });

  withApi(
    controls
      .command('close')
      .description(
        "force-close a symbol's open position at the next price (a MARKET SELL); refused when none is open",
      )
      .argument('<symbol>', 'the pair, e.g. BTCUSDT'),
  ).action(async (symbol: string, opts: ApiOptions) => {
    await client(opts).forceClose({ symbol, by: opts.by ?? operatorName() });
    console.log(`force-close of ${symbol} requested: sold at the next bar after the next ${symbol} signal`);
  });

  withApi(
    controls.command('list').alias('status').description('what is paused, and the controls, newest first'),
  ).action(async (opts: ApiOptions) => printView(await client(opts).view()));

  return controls;
}
