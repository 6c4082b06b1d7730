export { ConfigError, ERR_FOLDER_SOURCE, FolderSourceError } from "./errors.ts";
export { httpToken } from "./http_token.ts";
export { APP_TOKEN_USER } from "./sign_in.ts";
export { findConfig } from "./find_config.ts";
export { loadConfig, parseConfig } from "./load_config.ts";
export { folderSourceLocation, isWindowsStylePath, resolvePath } from "./resolve_path.ts";
export type * from "./types.ts";
