import { MpsError } from "../shared/errors.ts";
import type { CommandHandler } from "./context.ts";

export const doctorCommand: CommandHandler = () => {
  return Promise.reject(new MpsError("ERR_NOT_AVAILABLE", "'mps doctor' is not available in this build yet"));
};
