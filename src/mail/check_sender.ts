import type { EmailSource } from "../config/types.ts";
import { authenticationProblem, isAllowedSender } from "./sender/index.ts";
import type { MessageHeaders } from "./message_headers.ts";
import { MessageRejectedError } from "./message_rejected_error.ts";

/**
 * Throws the rejection of a message whose sender cannot be taken: none or several candidates
 * in `From`, no passing verdict of the receiving server when the source requires one, then not
 * in `allowedSenders`. Authentication comes before the filter, so a forged allowed address is
 * reported as what it is.
 */
export function checkSender(headers: MessageHeaders, source: EmailSource): void {
  const sender = headers.sender;
  if (sender === undefined) {
    const problem = headers.senderProblem;
    throw new MessageRejectedError(
      problem?.reason ?? "no-sender",
      problem?.message ?? "The message has no sender address",
    );
  }
  if (source.requireAuthenticated) {
    const problem = authenticationProblem(headers.authenticationResults, sender, source);
    if (problem !== undefined) throw new MessageRejectedError("not-authenticated", problem);
  }
  if (!isAllowedSender(sender, source.allowedSenders)) {
    throw new MessageRejectedError(
      "sender-not-allowed",
      `Sender '${sender}' is not in allowedSenders of source '${source.name}' (${source.allowedSenders.join(", ")})`,
    );
  }
}
