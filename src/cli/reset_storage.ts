import { MpsError } from "../shared/errors.ts";
import type { CommandHandler } from "./context.ts";

export const resetStorageCommand: CommandHandler = () => {
  return Promise.reject(new MpsError("ERR_NOT_AVAILABLE", "'mps reset-storage' is not available in this build yet"));
};
