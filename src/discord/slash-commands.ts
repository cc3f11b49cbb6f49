/**
 * The bot's slash commands as Discord registers them
 * (https://discord.com/developers/docs/interactions/application-commands): `cml discord register`
 * PUTs this list, which replaces whatever the application had.
 */
const STRING_OPTION = 3;

export const COMMAND_NAMES = [
  'status',
  'portfolio',
  'positions',
  'trades',
  'profit',
  'pause',
  'resume',
  'close',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The commands that change what the pipeline does: operators only. */
export const OPERATOR_COMMANDS: ReadonlySet<CommandName> = new Set(['pause', 'resume', 'close']);

export interface SlashCommandDefinition {
  readonly name: CommandName;
  readonly description: string;
  readonly type: 1;
  readonly options?: ReadonlyArray<{
    readonly name: string;
    readonly description: string;
    readonly type: number;
    readonly required: boolean;
    readonly max_length?: number;
  }>;
}

const symbolOption = (required: boolean, description: string) => ({
  name: 'symbol',
  description,
  type: STRING_OPTION,
  required,
  max_length: 10,
});

export const SLASH_COMMANDS: readonly SlashCommandDefinition[] = [
  { name: 'status', type: 1, description: 'Pipeline health: processors, consumer lag, dead letters' },
  { name: 'portfolio', type: 1, description: 'Equity, cash, PnL, fees, exposure and drawdown' },
  { name: 'positions', type: 1, description: 'Open positions with entry, mark and unrealized PnL' },
  { name: 'trades', type: 1, description: 'The latest closed trades' },
  { name: 'profit', type: 1, description: 'Realized profit per day (UTC) and in total' },
  {
    name: 'pause',
    type: 1,
    description: 'Stop new entries, for one symbol or all (operators only)',
    options: [
      symbolOption(false, 'e.g. BTCUSDT; all symbols when left out'),
      {
        name: 'reason',
        description: 'why, for the log',
        type: STRING_OPTION,
        required: false,
        max_length: 200,
      },
    ],
  },
  {
    name: 'resume',
    type: 1,
    description: 'Lift a pause, for one symbol or all (operators only)',
    options: [symbolOption(false, 'the symbol paused; all symbols when left out')],
  },
  {
    name: 'close',
    type: 1,
    description: 'Close the open position of a symbol at the next price (operators only)',
    options: [symbolOption(true, 'e.g. BTCUSDT')],
  },
];
