import type { ClosedTrade } from '../../projections/portfolio/portfolio-fold.ts';
import type { PortfolioView } from '../api/portfolio-view.ts';
import { EmbedColors, type DiscordEmbed, type DiscordEmbedField } from '../notify/discord-message.ts';
import { formatPct, formatPrice, formatQuantity, formatUsdt, truncate } from '../notify/format.ts';
import { closeReasonText } from '../notify/order-embed.ts';
import type { BotStatus } from './bot-status.ts';
import { publicReply, ephemeralReply, type InteractionResponse } from './interaction.ts';
import type { ControlRequest } from './plan-interaction.ts';
import type { ProfitReport } from './profit-report.ts';

/** Embeds of the bot's answers, in the notifier's style (src/notify): same colours, numbers and limits. */

const HEALTHY = EmbedColors.profit;
const UNHEALTHY = EmbedColors.loss;
const WARNING = EmbedColors.sell;
/** Discord's limits: 25 fields per embed, 1,024 characters per field value. */
const MAX_FIELDS = 25;
const FIELD_MAX = 1_024;
const TRADES_SHOWN = 10;

const iso = (time: number): string => new Date(time).toISOString();
const pnlColor = (pnl: number): number =>
  pnl > 0 ? EmbedColors.profit : pnl < 0 ? EmbedColors.loss : EmbedColors.flat;
const lines = (items: readonly string[], empty: string): string =>
  truncate(items.length === 0 ? empty : items.join('\n'), FIELD_MAX);
const embedReply = (embed: DiscordEmbed): InteractionResponse => publicReply({ embeds: [embed] });

export function statusReply(status: BotStatus): InteractionResponse {
  const stuck = status.processors.filter((p) => p.stuck);
  const lagging = status.projections.filter((p) => !p.ready);
  const fields: DiscordEmbedField[] = [
    {
      name: 'Processors',
      value: lines(
        status.processors.map((p) => (p.stuck ? `✗ ${p.name}: ${p.reason ?? 'stuck'}` : `✓ ${p.name}`)),
        'none registered',
      ),
    },
    {
      name: 'Projections',
      value: lines(
        status.projections.map((p) => `${p.ready ? '✓' : '…'} ${p.name}: ${p.lag} to fold`),
        'none registered',
      ),
    },
  ];
  let deadLetters = 0;
  if (typeof status.pipeline === 'string') {
    fields.push({ name: 'Pipeline', value: status.pipeline });
  } else {
    const behind = status.pipeline.groups.filter((g) => g.lag > 0).sort((a, b) => b.lag - a.lag);
    const totalLag = status.pipeline.groups.reduce((sum, g) => sum + g.lag, 0);
    fields.push({
      name: `Consumer lag (${totalLag} in all)`,
      value: lines(
        behind.slice(0, 10).map((g) => `${g.group} on ${g.topic}: ${g.lag}`),
        `all ${status.pipeline.groups.length} groups caught up`,
      ),
    });
    deadLetters = status.pipeline.deadLetters.reduce((sum, d) => sum + d.count, 0);
    fields.push({
      name: 'Dead letters',
      value: lines(
        status.pipeline.deadLetters.map(
          (d) => `${d.topic}: ${d.count}${(d.unreadable ?? 0) > 0 ? ` (${d.unreadable} unreadable)` : ''}`,
        ),
        'no dead-letter topics',
      ),
    });
  }
  const healthy = stuck.length === 0;
  return embedReply({
    title: healthy
      ? lagging.length === 0
        ? 'Pipeline healthy'
        : `Pipeline healthy, ${lagging.map((p) => p.name).join(', ')} catching up`
      : `Pipeline unhealthy: ${stuck.map((p) => p.name).join(', ')} stuck`,
    color: !healthy ? UNHEALTHY : lagging.length > 0 || deadLetters > 0 ? WARNING : HEALTHY,
    timestamp: iso(status.asOf),
    fields,
    footer: { text: 'status' },
  });
}

export function portfolioReply(view: PortfolioView, now: number): InteractionResponse {
  const total = view.realizedPnl + view.unrealizedPnl;
  return embedReply({
    title: `Equity ${formatUsdt(view.equity)}`,
    color: pnlColor(total),
    timestamp: iso(view.asOf > 0 ? view.asOf : now),
    fields: [
      { name: 'Cash', value: formatUsdt(view.cash), inline: true },
      { name: 'Realized PnL', value: formatUsdt(view.realizedPnl, true), inline: true },
      { name: 'Unrealized PnL', value: formatUsdt(view.unrealizedPnl, true), inline: true },
      { name: 'Fees', value: formatUsdt(view.fees), inline: true },
      { name: 'Exposure', value: formatPct(view.exposure * 100, false), inline: true },
      { name: 'Drawdown', value: formatPct(-view.drawdown * 100, false), inline: true },
      { name: 'Open positions', value: String(view.positions.length), inline: true },
    ],
    footer: { text: 'portfolio' },
  });
}

export function positionsReply(view: PortfolioView, now: number): InteractionResponse {
  const positions = [...view.positions].sort((a, b) => a.symbol.localeCompare(b.symbol));
  const shown = positions.slice(0, MAX_FIELDS);
  const unrealized = positions.reduce((sum, p) => sum + p.unrealizedPnl, 0);
  return embedReply({
    title:
      positions.length === 0
        ? 'No open positions'
        : `${positions.length} open position${positions.length === 1 ? '' : 's'}`,
    ...(positions.length > shown.length ? { description: `the first ${shown.length} shown` } : {}),
    color: positions.length === 0 ? EmbedColors.flat : pnlColor(unrealized),
    timestamp: iso(view.asOf > 0 ? view.asOf : now),
    fields: shown.map((p) => {
      const cost = p.quantity * p.averageEntry;
      return {
        name: p.symbol,
        value: [
          `${formatQuantity(p.quantity)} at ${formatPrice(p.averageEntry)}`,
          `mark ${formatPrice(p.markPrice)}`,
          `${formatUsdt(p.unrealizedPnl, true)}${cost > 0 ? ` (${formatPct((p.unrealizedPnl / cost) * 100)})` : ''}`,
        ].join('\n'),
        inline: true,
      };
    }),
    footer: { text: 'positions' },
  });
}

export function tradesReply(trades: readonly ClosedTrade[], now: number): InteractionResponse {
  const latest = [...trades]
    .sort((a, b) => b.exitTime - a.exitTime || b.orderId.localeCompare(a.orderId))
    .slice(0, TRADES_SHOWN);
  const pnl = latest.reduce((sum, t) => sum + t.realizedPnl, 0);
  return embedReply({
    title:
      trades.length === 0
        ? 'No closed trades yet'
        : trades.length === latest.length
          ? `${trades.length} closed trade${trades.length === 1 ? '' : 's'}`
          : `The latest ${latest.length} of ${trades.length} closed trades`,
    color: latest.length === 0 ? EmbedColors.flat : pnlColor(pnl),
    timestamp: iso(latest[0]?.exitTime ?? now),
    fields: latest.map((t) => {
      const cost = t.quantity * t.entryPrice;
      return {
        name: `${t.symbol} ${formatUsdt(t.realizedPnl, true)}${cost > 0 ? ` (${formatPct((t.realizedPnl / cost) * 100)})` : ''}`,
        value: `${formatQuantity(t.quantity)}: ${formatPrice(t.entryPrice)} → ${formatPrice(t.exitPrice)}, ${closeReasonText(t.reason)}\n${iso(t.exitTime).slice(0, 16).replace('T', ' ')} · ${t.orderId}`,
      };
    }),
    footer: { text: 'trades' },
  });
}

export function profitReply(report: ProfitReport, unrealizedPnl: number, now: number): InteractionResponse {
  const winRate = report.trades > 0 ? (report.wins / report.trades) * 100 : 0;
  return embedReply({
    title: `Realized profit ${formatUsdt(report.realizedPnl, true)} over ${report.trades} trade${report.trades === 1 ? '' : 's'}`,
    color: pnlColor(report.realizedPnl),
    timestamp: iso(now),
    fields: [
      { name: 'Win rate', value: report.trades > 0 ? formatPct(winRate, false) : 'no trades', inline: true },
      { name: 'Fees', value: formatUsdt(report.fees), inline: true },
      { name: 'Unrealized PnL', value: formatUsdt(unrealizedPnl, true), inline: true },
      {
        name: `Per day (UTC, last ${report.days.length})`,
        value: lines(
          report.days.map(
            (d) =>
              `${d.day}: ${formatUsdt(d.realizedPnl, true)} (${d.trades} trade${d.trades === 1 ? '' : 's'})`,
          ),
          'no days',
        ),
      },
    ],
    footer: { text: 'profit' },
  });
}

const scopeOf = (symbol: string | undefined): string => symbol ?? 'all symbols';

/** What the channel is told once a control was accepted: everyone there should know. */
export function controlDoneReply(request: ControlRequest, now: number): InteractionResponse {
  const title =
    request.action === 'pause'
      ? `New entries paused for ${scopeOf(request.symbol)}`
      : request.action === 'resume'
        ? `New entries resumed for ${scopeOf(request.symbol)}`
        : `${request.symbol} position closing at the next price`;
  const fields: DiscordEmbedField[] = [{ name: 'By', value: request.by, inline: true }];
  if (request.action === 'pause' && request.reason !== undefined)
    fields.push({ name: 'Reason', value: truncate(request.reason, FIELD_MAX), inline: true });
  if (request.action === 'pause')
    fields.push({ name: 'Open positions', value: 'keep their stop-loss and take-profit' });
  return embedReply({
    title,
    color: request.action === 'resume' ? HEALTHY : WARNING,
    timestamp: iso(now),
    fields,
    footer: { text: request.action },
  });
}

export const controlsUnavailableReply = (): InteractionResponse =>
  ephemeralReply(
    'Operator controls are not available in this process: pause, resume and close cannot be asked here.',
  );

export const controlRefusedReply = (request: ControlRequest, message: string): InteractionResponse =>
  ephemeralReply(truncate(`/${request.action} refused: ${message}`, 2_000));
