import { MpsError } from "../shared/errors.ts";
import type { CommandHandler } from "./context.ts";

export const runCommand: CommandHandler = () => {
  return Promise.reject(new MpsError("ERR_NOT_AVAILABLE", "'mps run' is not available in this build yet"));
};
