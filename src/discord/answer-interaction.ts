import type { ClosedTrade } from '../../projections/portfolio/portfolio-fold.ts';
import type { PortfolioView } from '../api/portfolio-view.ts';
import type { OperatorControls } from '../controls/operator-controls.ts';
import { isCmlError } from '../errors/index.ts';
import type { Logger } from '../observability/logger.ts';
import {
  controlDoneReply,
  controlRefusedReply,
  controlsUnavailableReply,
  portfolioReply,
  positionsReply,
  profitReply,
  statusReply,
  tradesReply,
} from './bot-replies.ts';
import type { BotStatus } from './bot-status.ts';
import type { Interaction, InteractionResponse } from './interaction.ts';
import type { Operators } from './operators.ts';
import { planInteraction, type BotView, type ControlRequest } from './plan-interaction.ts';
import { profitReport } from './profit-report.ts';

/** What the bot reads: the API's own read models. */
export interface BotReads {
  status(): Promise<BotStatus>;
  portfolio(): PortfolioView;
  trades(): readonly ClosedTrade[];
}

export interface BotDependencies {
  readonly reads: BotReads;
  readonly operators: Operators;
  /** Absent: /pause, /resume and /close answer that controls are unavailable. */
  readonly controls?: OperatorControls;
  readonly now: () => number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** Answers one verified interaction: the plan is pure, this only reads or asks the controls. */
export async function answerInteraction(
  interaction: Interaction,
  deps: BotDependencies,
): Promise<InteractionResponse> {
  const plan = planInteraction(interaction, deps.operators);
  switch (plan.kind) {
    case 'answer':
      return plan.response;
    case 'show':
      return show(plan.view, deps);
    case 'control':
      return control(plan.request, deps);
    default: {
      const unhandled: never = plan;
      return unhandled;
    }
  }
}

async function show(view: BotView, deps: BotDependencies): Promise<InteractionResponse> {
  const now = deps.now();
  switch (view) {
    case 'status':
      return statusReply(await deps.reads.status());
    case 'portfolio':
      return portfolioReply(deps.reads.portfolio(), now);
    case 'positions':
      return positionsReply(deps.reads.portfolio(), now);
    case 'trades':
      return tradesReply(deps.reads.trades(), now);
    case 'profit': {
      const portfolio = deps.reads.portfolio();
      return profitReply(profitReport(deps.reads.trades(), portfolio.asOf), portfolio.unrealizedPnl, now);
    }
    default: {
      const unhandled: never = view;
      return unhandled;
    }
  }
}

async function control(request: ControlRequest, deps: BotDependencies): Promise<InteractionResponse> {
  const { controls } = deps;
  if (controls === undefined) return controlsUnavailableReply();
  try {
    switch (request.action) {
      case 'pause':
        await controls.pauseEntries({
          ...(request.symbol === undefined ? {} : { symbol: request.symbol }),
          ...(request.reason === undefined ? {} : { reason: request.reason }),
          by: request.by,
        });
        break;
      case 'resume':
        await controls.resumeEntries({
          ...(request.symbol === undefined ? {} : { symbol: request.symbol }),
          by: request.by,
        });
        break;
      case 'close':
        await controls.forceClose({ symbol: request.symbol, by: request.by });
        break;
      default: {
        const unhandled: never = request;
        return unhandled;
      }
    }
  } catch (error) {
    deps.logger?.warn({ request, err: (error as Error).message }, 'Discord operator request refused');
    const message = isCmlError(error)
      ? error.describe()
      : 'the pipeline could not take the request; see its log';
    return controlRefusedReply(request, message);
  }
  deps.logger?.info({ request }, 'Discord operator request accepted');
  return controlDoneReply(request, deps.now());
}
