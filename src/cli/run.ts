import * as path from "node:path";
import { startHttpServer } from "../http/index.ts";
import { createLogger } from "../log/index.ts";
import type { Notifier } from "../notify/index.ts";
import { createTokenService } from "../oauth/index.ts";
import { createRunners, runCycle, runLoop } from "../service/index.ts";
import type { Runner } from "../service/index.ts";
import type { PrintService } from "../print/index.ts";
import { cleanPartialJobs } from "../spool/index.ts";
import { openTokenStore } from "../storage/index.ts";
import { sourceAssetsDir } from "../runtime/index.ts";
import { VERSION } from "../version.ts";
import type { CommandHandler } from "./context.ts";
import { deliveredDocuments } from "./delivered_documents.ts";
import { describeNetwork, networkFor } from "./network.ts";
import { proxyFor } from "../shared/proxy.ts";
import type { Proxies } from "../shared/proxy.ts";
import { openTunnel } from "../shared/proxy_tunnel.ts";
import type { Socket } from "node:net";
import { flag } from "./option_values.ts";

/** `mps run`: one downloader loop per source until SIGINT/SIGTERM; `--once`: one cycle each. */
export const runCommand: CommandHandler = async ({ context, config, options }) => {
  const log = createLogger({
    now: context.now,
    level: config.log.level,
    file: { path: config.log.file, maxBytes: config.log.maxBytes, maxFiles: config.log.maxFiles },
    console: context.interactive || context.env["MPS_LOG_CONSOLE"] === "1",
  });
  const once = flag(options, "once");
  let runners: Runner[] = [];
  let notifier: Notifier | undefined;
  try {
    log.info("service", `mps ${VERSION} starting${once ? " (--once)" : ""}`, { config: config.file });
    for (const warning of config.warnings) log.warn("config", warning);
    const network = networkFor(context, config);
    const route = describeNetwork(network.proxies);
    if (route !== undefined) log.info("network", route);
    const partial = await cleanPartialJobs(config.spool.folder);
    if (partial > 0) log.info("spool", "removed half-built jobs of an earlier run", { count: partial });
    const store = openTokenStore({
      storageDir: config.oauth.storageDir,
      keyFile: config.oauth.keyFile,
      env: context.env,
      now: context.now,
      lockOwner: "mps run",
    });
    const tokens = createTokenService({
      config,
      store,
      fetch: network.fetch,
      now: context.now,
      log: log.child("oauth"),
    });
    // Replies and printing are loaded only when configured: each adds ~10 MiB and tens of ms of
    // CPU to every run (SMTP, PDF and font libraries).
    if (config.notifications !== undefined) {
      const { Notifier } = await import("../notify/index.ts");
      notifier = new Notifier({
        config,
        settings: config.notifications,
        tokens,
        log: log.child("notify"),
        now: context.now,
        connect: smtpConnect(network.proxies, config.notifications.host),
      });
    }
    let print: PrintService | undefined;
    if (config.printers.length > 0) {
      const { createDocumentConverter, createPrintService, findSoffice } = await import("../print/index.ts");
      const soffice = await findSoffice(config.convert.soffice, context.env);
      if (soffice === undefined) {
        log.info("print", "LibreOffice not found: office documents cannot be converted for printers that need it");
      }
      print = createPrintService({
        config,
        log,
        now: context.now,
        shutdown: context.shutdown,
        converter: createDocumentConverter({ soffice, spoolDir: config.spool.folder, fontDirs: fontDirs() }),
        proxies: network.proxies,
        onJobFinished: (jobId, record) => notifier?.jobDelivered(jobId, deliveredDocuments(record)),
      });
    }
    runners = createRunners({
      config,
      log,
      now: context.now,
      shutdown: context.shutdown,
      tokens,
      onJob: () => print?.nudge(),
      notifier,
      proxies: network.proxies,
    });
    if (runners.length === 0) log.warn("service", "the config has no sources: nothing to download");
    const loopOptions = (runner: Runner) => ({
      state: runner.state,
      cycle: runner.cycle,
      nudge: runner.nudge,
      log: log.child(`downloader/${runner.state.name}`),
      now: context.now,
      shutdown: context.shutdown,
    });
    if (once) {
      // A scheduled task's one cycle has no monitoring to serve.
      let worst = 0;
      for (const runner of runners) worst = Math.max(worst, await runCycle(loopOptions(runner)));
      if (print !== undefined) {
        const undelivered = await print.deliverPending();
        if (undelivered > 0) {
          log.error("print", `${undelivered} document(s) could not be delivered to a printer`, { undelivered });
          worst = Math.max(worst, 1);
        }
      }
      // the cycle's replies, and one more try of those that waited in the outbox; a reply
      // that cannot go stays there for the next run and does not change the exit code
      await notifier?.flush().catch((error: unknown) => {
        log.error("notify", "cannot send the replies to senders", { error: (error as Error).message });
      });
      log.info("service", `mps finished one cycle of every source with exit code ${worst}`);
      return worst;
    }
    const http = await startHttpServer({
      config,
      states: runners.map((runner) => runner.state),
      now: context.now,
      env: context.env,
      log: log.child("http"),
      notifications: notifier === undefined
        ? undefined
        : () => ({ counts: notifier?.counts ?? new Map(), waiting: notifier?.waiting ?? 0 }),
      ...(print === undefined ? {} : { printers: print.states }),
    });
    notifier?.start();
    log.info("http", `serving /health and /metrics on ${http.url}`);
    try {
      await Promise.all([...runners.map((runner) => runLoop(loopOptions(runner))), print?.run()]);
    } finally {
      await http.close();
    }
    log.info("service", "mps stopped");
    return 0;
  } finally {
    await Promise.all(runners.map((runner) => runner.close()));
    await notifier?.close();
    log.close();
  }
};

function fontDirs(): string[] {
  const assets = sourceAssetsDir();
  return assets === undefined ? [] : [path.join(assets, "fonts")];
}

/** Replies reach the SMTP server through the https proxy (a CONNECT tunnel), unless noProxy exempts it. */
function smtpConnect(
  proxies: Proxies,
  host: string,
): ((host: string, port: number, timeoutMs: number) => Promise<Socket>) | undefined {
  const proxy = proxyFor(proxies, "https", host);
  return proxy === undefined ? undefined : (target, port, timeoutMs) => openTunnel(proxy, target, port, timeoutMs);
}
