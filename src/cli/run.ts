import { createLogger } from "../log/index.ts";
import type { Logger } from "../log/index.ts";
import { createFolderCycle } from "../service/folder_source.ts";
import { runCycle, runLoop } from "../service/downloader_loop.ts";
import { createSourceState } from "../service/source_state.ts";
import type { SourceState } from "../service/source_state.ts";
import { MpsError } from "../shared/errors.ts";
import { VERSION } from "../version.ts";
import type { CommandHandler, CommandInput } from "./context.ts";

interface Runner {
  readonly state: SourceState;
  readonly cycle: () => Promise<number>;
}

/** `mps run`: one downloader loop per source until SIGINT/SIGTERM; `--once`: one cycle each. */
export const runCommand: CommandHandler = async (input) => {
  const { context, config, options } = input;
  const log = createLogger({
    now: context.now,
    level: config.log.level,
    file: { path: config.log.file, maxBytes: config.log.maxBytes, maxFiles: config.log.maxFiles },
    console: context.interactive || context.env["MPS_LOG_CONSOLE"] === "1",
  });
  try {
    const once = options["once"] === true;
    log.info("service", `mps ${VERSION} starting${once ? " (--once)" : ""}`, { config: config.file });
    for (const warning of config.warnings) log.warn("config", warning);
    const runners = createRunners(input, log);
    if (runners.length === 0) log.warn("service", "the config has no sources: nothing to download");
    if (once) {
      let worst = 0;
      for (const runner of runners) {
        const code = await runCycle({ ...runner, log: log.child(`downloader/${runner.state.name}`), now: context.now, shutdown: context.shutdown });
        worst = Math.max(worst, code);
      }
      log.info("service", `mps finished one cycle of every source with exit code ${worst}`);
      return worst;
    }
    await Promise.all(runners.map((runner) =>
      runLoop({ ...runner, log: log.child(`downloader/${runner.state.name}`), now: context.now, shutdown: context.shutdown })
    ));
    log.info("service", "mps stopped");
    return 0;
  } finally {
    log.close();
  }
};

function createRunners(input: CommandInput, log: Logger): Runner[] {
  const { context, config } = input;
  const runners: Runner[] = [];
  for (const source of config.folderSources) {
    const state = createSourceState(source.name, "folder", source.downloadIntervalMs);
    const cycle = createFolderCycle(source, {
      spoolDir: config.spool.folder,
      now: context.now,
      log: log.child(`downloader/${source.name}`),
      onJob: () => void (state.jobs += 1),
    });
    runners.push({ state, cycle });
  }
  for (const source of config.emailSources) {
    const state = createSourceState(source.name, source.type, source.pollIntervalMs);
    const cycle = () =>
      Promise.reject(
        new MpsError("ERR_NOT_AVAILABLE", `Email source '${source.name}' (${source.type}) needs the IMAP downloader, which this build does not have yet`),
      );
    runners.push({ state, cycle });
  }
  return runners;
}
