import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../api/api-context.ts';
import { HttpError, badRequest } from '../api/http-error.ts';
import { portfolioView } from '../api/portfolio-view.ts';
import { Readiness } from '../api/readiness.ts';
import type { OperatorControls } from '../controls/operator-controls.ts';
import type { PipelineHealth } from '../dashboard/dashboard-deps.ts';
import { ErrorCodes } from '../errors/index.ts';
import { answerInteraction, type BotReads } from './answer-interaction.ts';
import type { BotStatus } from './bot-status.ts';
import type { Interaction } from './interaction.ts';
import { interactionPublicKey, verifyInteraction } from './interaction-signature.ts';
import type { Operators } from './operators.ts';

/** The route Discord's "Interactions Endpoint URL" points at: `https://<host>/discord/interactions`. */
export const INTERACTIONS_PATH = '/discord/interactions';

/** Discord waits 3 s for an answer; /status gives the pipeline's lag this long, then answers without it. */
export const PIPELINE_READ_BUDGET_MS = 2_000;

export interface DiscordBotOptions {
  /** The application's Ed25519 public key, 64 hex characters (developer portal, General Information). */
  readonly publicKey: string;
  readonly operators: Operators;
  readonly controls?: OperatorControls;
  /** The wall clock the signature's timestamp is checked against (default Date.now). */
  readonly clock?: () => number;
}

/**
 * POST /discord/interactions: Discord's HTTP interactions (no gateway). The raw body is verified
 * against the signature headers before it is parsed; anything unsigned, signed by another key,
 * altered or too old is answered 401. The answer itself comes from answerInteraction.
 */
export function interactionsRoute(app: FastifyInstance, ctx: ApiContext, options: DiscordBotOptions): void {
  const publicKey = interactionPublicKey(options.publicKey);
  const reads = botReads(ctx);
  // Encapsulated: only this route receives its JSON as the raw bytes the signature covers.
  void app.register((scope, _opts, done) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, parsed) =>
      parsed(null, body),
    );
    scope.post(INTERACTIONS_PATH, { schema: { hide: true } }, async (request) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = (name: string): string | undefined => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const verdict = verifyInteraction({
        publicKey,
        signature: header('x-signature-ed25519'),
        timestamp: header('x-signature-timestamp'),
        body,
        now: (options.clock ?? Date.now)(),
      });
      if (!verdict.valid) {
        request.log.warn({ reason: verdict.reason }, 'Discord interaction refused');
        throw new HttpError(401, ErrorCodes.API_UNAUTHORIZED, `invalid request signature: ${verdict.reason}`);
      }
      let interaction: Interaction;
      try {
        interaction = JSON.parse(body.toString('utf8')) as Interaction;
      } catch {
        throw badRequest('body: not JSON');
      }
      if (typeof interaction !== 'object' || interaction === null || typeof interaction.type !== 'number')
        throw badRequest('body: not a Discord interaction');
      return answerInteraction(interaction, {
        reads,
        operators: options.operators,
        ...(options.controls === undefined ? {} : { controls: options.controls }),
        now: ctx.now,
        logger: request.log,
      });
    });
    done();
  });
}

/** The bot reads what the API serves: /health's processors, /ready's projections, the dashboard's pipeline. */
function botReads(ctx: ApiContext): BotReads {
  const readiness = new Readiness(ctx.projections, ctx.settings.readiness, ctx.now);
  return {
    async status(): Promise<BotStatus> {
      const processors = ctx.processors.map((p) => {
        const stuck = p.stuck();
        const reason = stuck ? p.reason?.() : undefined;
        return reason === undefined ? { name: p.name, stuck } : { name: p.name, stuck, reason };
      });
      const [projections, pipeline] = await Promise.all([readiness.check(), pipelineWithin(ctx)]);
      return { processors, projections, pipeline, asOf: ctx.now() };
    },
    portfolio: () => portfolioView(ctx.portfolio()),
    trades: () => ctx.store.trades(),
  };
}

async function pipelineWithin(ctx: ApiContext): Promise<PipelineHealth | string> {
  const read = ctx.dashboard?.pipeline;
  if (read === undefined) return 'consumer lag and dead letters are not served by this process';
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(`consumer lag and dead letters did not answer within ${PIPELINE_READ_BUDGET_MS / 1_000} s`),
      PIPELINE_READ_BUDGET_MS,
    );
  });
  try {
    return await Promise.race([read(), late]);
  } catch (error) {
    return `consumer lag and dead letters could not be read: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
