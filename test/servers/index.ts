// Real servers for the tests: a private Dovecot (IMAP with XOAUTH2/OAUTHBEARER and
// passwords) and a local OAuth 2.0 / OIDC authorization server that behaves like Entra.
export { startAuthServer } from "./auth_server.ts";
export type { AuthServer, AuthServerCounts, AuthServerOptions, FailEndpoint, OAuthErrorReply } from "./auth_server.ts";
export { nobodyIds, startDovecot } from "./dovecot.ts";
export type { DovecotOptions, DovecotServer, LoggedLogin } from "./dovecot.ts";
export { redeem, scriptedLogin } from "./scripted_login.ts";
export type { ScriptedLoginOptions, TokenSet } from "./scripted_login.ts";
export { makeTestCerts } from "./test_certs.ts";
export type { TestCertOptions, TestCerts } from "./test_certs.ts";
export { freePort } from "./free_port.ts";
export { launchChromium } from "./chromium.ts";
export type { TestBrowser } from "./chromium.ts";
export { checkMetrics } from "./promtool.ts";
export type { PromtoolResult } from "./promtool.ts";
export { startSubmission } from "./submission.ts";
export type { SubmissionOptions, SubmissionServer } from "./submission.ts";
export { startSmtpSink } from "./smtp_sink.ts";
export type { SinkMessage, SmtpSink } from "./smtp_sink.ts";
export { GET_JOBS_TEST, readJobs, startIppPrinter } from "./ipp_printer.ts";
export type { IppJob, IppPrinter, IppPrinterOptions } from "./ipp_printer.ts";
export { startCups } from "./cups.ts";
export type { CupsServer } from "./cups.ts";
