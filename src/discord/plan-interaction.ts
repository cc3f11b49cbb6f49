import { SYMBOL_PATTERN } from '../contracts/validation/rules.ts';
import {
  ephemeralReply,
  InteractionType,
  PONG,
  type Interaction,
  type InteractionResponse,
} from './interaction.ts';
import { invokerOf, isOperator, type Operators } from './operators.ts';
import { COMMAND_NAMES, OPERATOR_COMMANDS, type CommandName } from './slash-commands.ts';

type OperatorCommand = 'pause' | 'resume' | 'close';

/** A read-only command's view. */
export type BotView = Exclude<CommandName, OperatorCommand>;

/** What an operator asked, with who asked (`discord:<name> (<id>)`), for the controls and the log. */
export type ControlRequest =
  | { readonly action: 'pause'; readonly symbol?: string; readonly reason?: string; readonly by: string }
  | { readonly action: 'resume'; readonly symbol?: string; readonly by: string }
  | { readonly action: 'close'; readonly symbol: string; readonly by: string };

/** What to do with an interaction: answer at once, show a view, or ask the controls. */
export type InteractionPlan =
  | { readonly kind: 'answer'; readonly response: InteractionResponse }
  | { readonly kind: 'show'; readonly view: BotView }
  | { readonly kind: 'control'; readonly request: ControlRequest };

const answer = (response: InteractionResponse): InteractionPlan => ({ kind: 'answer', response });

const isCommandName = (name: string): name is CommandName =>
  (COMMAND_NAMES as readonly string[]).includes(name);
const isOperatorCommand = (name: CommandName): name is OperatorCommand => OPERATOR_COMMANDS.has(name);

/**
 * Decides what an interaction asks for, from the interaction and the operators alone (pure):
 * PING is answered PONG; an operator command from anyone else, an unknown command or a bad symbol
 * is answered with an ephemeral message and asks nothing of the pipeline.
 */
export function planInteraction(interaction: Interaction, operators: Operators): InteractionPlan {
  if (interaction.type === InteractionType.PING) return answer(PONG);
  const name = interaction.data?.name;
  if (interaction.type !== InteractionType.APPLICATION_COMMAND || name === undefined)
    return answer(ephemeralReply('This bot answers slash commands only.'));
  if (!isCommandName(name)) return answer(ephemeralReply(`Unknown command /${name}.`));
  if (!isOperatorCommand(name)) return { kind: 'show', view: name };

  const invoker = invokerOf(interaction);
  if (invoker === undefined || !isOperator(interaction, operators))
    return answer(
      ephemeralReply(
        `/${name} is for operators only: ask an admin to add your user id or one of your roles to discord.operatorUserIds / discord.operatorRoleIds.`,
      ),
    );
  const by = `discord:${invoker.name} (${invoker.id})`;
  const option = (key: string): string | undefined => {
    const value = interaction.data?.options?.find((o) => o.name === key)?.value;
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const symbolText = option('symbol')?.toUpperCase();
  if (symbolText !== undefined && !SYMBOL_PATTERN.test(symbolText))
    return answer(ephemeralReply(`"${symbolText}" is not a USDT pair such as BTCUSDT.`));
  const scope = symbolText === undefined ? {} : { symbol: symbolText };
  switch (name) {
    case 'pause': {
      const reason = option('reason');
      return {
        kind: 'control',
        request: { action: 'pause', ...scope, ...(reason === undefined ? {} : { reason }), by },
      };
    }
    case 'resume':
      return { kind: 'control', request: { action: 'resume', ...scope, by } };
    case 'close':
      return symbolText === undefined
        ? answer(ephemeralReply('/close needs a symbol, e.g. /close symbol:BTCUSDT.'))
        : { kind: 'control', request: { action: 'close', symbol: symbolText, by } };
    default: {
      const unhandled: never = name;
      return unhandled;
    }
  }
}
