// The status model: what each source's cycles did, and whether it is healthy. `service` records into it,
// the token service keeps its OAuth part current, `http` renders it.
export { createSourceState, recordCycle } from "./source_state.ts";
export type { OAuthState, SourceState } from "./source_state.ts";
export {
  CLIENT_CERTIFICATE_EXPIRING,
  CLIENT_SECRET_EXPIRING,
  NEEDS_LOGIN,
  REFRESH_TOKEN_AGING,
  SOURCE_FAILING,
  SOURCE_STALE,
  sourceVerdict,
} from "./source_verdict.ts";
export { STALE_AFTER_INTERVALS } from "./health_rules.ts";
