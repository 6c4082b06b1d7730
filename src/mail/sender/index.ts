export { isAllowedSender } from "./allowed_sender.ts";
export { senderAddress, senderIdentity } from "./sender_address.ts";
export type { SenderIdentity } from "./sender_address.ts";
export { authenticationProblem } from "./sender_authentication.ts";
export { fieldValue } from "./structured_field.ts";
