import type { Context } from "../context.js";
import { isMarketer } from "./is-marketer.js";

/**
 * Whether a chat can be inside a conversation: the bot has two, enrollment
 * (which ends when the member exists) and the marketers' broadcast walk
 * (admins and MARKETER_TELEGRAM_IDS, an in-memory check). Every other update
 * — a member's /card, the busiest path there is — passes the conversations
 * plugin by: no state read, and none of the objects the plugin builds for
 * each update and each registered conversation.
 */
export function mayConverse(ctx: Pick<Context, "member" | "from" | "deps">): boolean {
  return ctx.member === null || isMarketer(ctx);
}
