import { MpsError } from "../shared/errors.ts";
import type { CommandHandler } from "./context.ts";

export const loginCommand: CommandHandler = () => {
  return Promise.reject(new MpsError("ERR_NOT_AVAILABLE", "'mps login' is not available in this build yet"));
};
