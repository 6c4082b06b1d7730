export { Base64Decoder } from "./base64_decoder.ts";
export { DecodingSink, DISCARD } from "./part_sink.ts";
export type { PartSink } from "./part_sink.ts";
export { SplitterFeed } from "./splitter_feed.ts";
