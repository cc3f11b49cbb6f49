import { describe, expect, it } from 'vitest';
import { EPHEMERAL, planInteraction, type Interaction } from '../../../src/discord/index.ts';
import { commandPayload, type CommandInvocation } from '../../support/discord-signer.ts';

const operators = { userIds: ['200000000000000002'], roleIds: ['300000000000000003'] };
const plan = (invocation: CommandInvocation) =>
  planInteraction(commandPayload(invocation) as unknown as Interaction, operators);

describe('planInteraction (given an interaction and the operators, then a plan)', () => {
  it('PING: PONG, whoever sends it', () => {
    expect(planInteraction({ type: 1 }, operators)).toEqual({ kind: 'answer', response: { type: 1 } });
  });

  it('read-only commands: shown to anyone', () => {
    for (const name of ['status', 'portfolio', 'positions', 'trades', 'profit'])
      expect(plan({ name, userId: '400000000000000004' })).toEqual({ kind: 'show', view: name });
  });

  it('operator commands: a control request naming who asked, the symbol upper-cased', () => {
    expect(
      plan({
        name: 'close',
        userId: '200000000000000002',
        username: 'ops',
        options: { symbol: ' ethusdt ' },
      }),
    ).toEqual({
      kind: 'control',
      request: { action: 'close', symbol: 'ETHUSDT', by: 'discord:ops (200000000000000002)' },
    });
    expect(plan({ name: 'pause', userId: '5', roles: ['300000000000000003'] })).toEqual({
      kind: 'control',
      request: { action: 'pause', by: 'discord:alice (5)' },
    });
  });

  it('operator commands from anyone else: an ephemeral refusal, nothing asked', () => {
    const refused = plan({ name: 'resume', userId: '5', roles: ['6'] });
    expect(refused).toMatchObject({ kind: 'answer', response: { type: 4, data: { flags: EPHEMERAL } } });
  });

  it('/close without a symbol, or with one that is no USDT pair: an ephemeral usage message', () => {
    expect(plan({ name: 'close', userId: '200000000000000002' })).toMatchObject({
      kind: 'answer',
      response: { data: { flags: EPHEMERAL, content: '/close needs a symbol, e.g. /close symbol:BTCUSDT.' } },
    });
    expect(plan({ name: 'pause', userId: '200000000000000002', options: { symbol: 'DOGE' } })).toMatchObject({
      kind: 'answer',
      response: { data: { flags: EPHEMERAL } },
    });
  });
});
