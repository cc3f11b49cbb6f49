import type { Interaction } from './interaction.ts';

/** Who may pause, resume and close: Discord user ids, or the ids of roles any member of which may. */
export interface Operators {
  readonly userIds: readonly string[];
  readonly roleIds: readonly string[];
}

/** The user who ran an interaction: a member in a server, the user in a direct message. */
export const invokerOf = (interaction: Interaction): { id: string; name: string } | undefined => {
  const user = interaction.member?.user ?? interaction.user;
  return user === undefined ? undefined : { id: user.id, name: user.username ?? user.id };
};

/**
 * Whether the interaction's user is an operator. Roles count only on a server member (Discord
 * sends them there); in a direct message only the user id can admit.
 */
export function isOperator(interaction: Interaction, operators: Operators): boolean {
  const invoker = invokerOf(interaction);
  if (invoker === undefined) return false;
  if (operators.userIds.includes(invoker.id)) return true;
  const roles = interaction.member?.roles ?? [];
  return roles.some((role) => operators.roleIds.includes(role));
}
