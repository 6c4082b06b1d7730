import { createServer } from "node:net";
import type { Config } from "../config/index.ts";
import { listenError, requiredToken } from "./listen_rules.ts";

/**
 * Tells whether `mps run` could serve `/health` and `/metrics` on `<http host port>`: the same token rule, then
 * the port bound and let go at once. Throws the `HttpServerError` that `startHttpServer` would.
 */
export async function probeHttpPort(
  http: Config["http"],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  requiredToken(http, env);
  const { host, port } = http;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", (cause) => reject(listenError(host, port, cause)));
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
