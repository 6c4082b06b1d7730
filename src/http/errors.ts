import { MpsError } from "../shared/errors.ts";

/** `/health` and `/metrics` cannot be served as configured in `<http>`. */
export class HttpServerError extends MpsError {
  /** The address cannot be bound (in use, not on this machine, not permitted). */
  static readonly LISTEN = "ERR_HTTP_LISTEN";
  /** A non-loopback address without a token: refused rather than open to the network. */
  static readonly TOKEN_REQUIRED = "ERR_HTTP_TOKEN_REQUIRED";
}
