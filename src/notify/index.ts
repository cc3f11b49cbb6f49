/**
 * The Discord notifier: which order events post and how they read (pure), Discord's rate-limit
 * rules (pure), the webhook over fetch, the runner that posts crypto.orders in log order with
 * its progress committed after every post, and the signal notifier (crypto.ml_signals, best effort).
 */
export { embedFor, notificationKey, closeReasonText } from './order-embed.ts';
export {
  messageOf,
  EmbedColors,
  type DiscordEmbed,
  type DiscordEmbedField,
  type DiscordMessage,
} from './discord-message.ts';
export {
  outcomeOf,
  retryAfterMs,
  bucketWaitMs,
  rejectsMessage,
  DEFAULT_RETRY_AFTER_MS,
  type HeaderLookup,
  type WebhookOutcome,
} from './rate-limit.ts';
export {
  DiscordWebhook,
  DEFAULT_RETRY_POLICY,
  redactWebhookUrl,
  type DiscordWebhookOptions,
  type PostedMessage,
  type RetryPolicy,
  type WebhookPoster,
} from './discord-webhook.ts';
export { NotifierRunner, NOTIFIER_GROUP, type NotifierRunnerOptions } from './notifier-runner.ts';
export { SignalNotifier, type SignalNotifierOptions } from './signal-notifier.ts';
export { signalEmbed, shouldPostSignal, signalKey } from './signal-embed.ts';
export { takePost, fullBudget, type PostBudget } from './post-budget.ts';
