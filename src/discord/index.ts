/**
 * The Discord bot over HTTP interactions: signature checks, the slash commands and their
 * registration, the pure plan and replies of each command, and the API route that serves them.
 */
export { interactionsRoute, INTERACTIONS_PATH, type DiscordBotOptions } from './interactions-route.ts';
export { answerInteraction, type BotReads, type BotDependencies } from './answer-interaction.ts';
export {
  planInteraction,
  type InteractionPlan,
  type ControlRequest,
  type BotView,
} from './plan-interaction.ts';
export {
  verifyInteraction,
  interactionPublicKey,
  MAX_INTERACTION_AGE_S,
  MAX_INTERACTION_LEAD_S,
  type SignatureVerdict,
} from './interaction-signature.ts';
export { SLASH_COMMANDS, COMMAND_NAMES, OPERATOR_COMMANDS, type CommandName } from './slash-commands.ts';
export { isOperator, type Operators } from './operators.ts';
export { profitReport, type ProfitReport, type DailyProfit } from './profit-report.ts';
export { registerCommands, type RegisterCommandsOptions } from './register-commands.ts';
export * from './interaction.ts';
