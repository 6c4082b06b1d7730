// The downloader: one runner per source, cycled until shutdown, recording into the status model.
export { createRunners } from "./create_runners.ts";
export type { Runner } from "./create_runners.ts";
export { runCycle, runLoop } from "./downloader_loop.ts";
