import { existsSync } from "node:fs";

export type DovecotConfigInput = {
  dir: string;
  port: number;
  tlsPort: number;
  greeting: string;
  certFile: string;
  keyFile: string;
  mechanisms: string;
  oauth2: boolean;
  /** Shared mailboxes, each with its own oauth2 passdb (see dovecot.ts `fullAccess`). */
  sharedMailboxes: readonly string[];
  debug: boolean;
};

/** The complete dovecot.conf of a private test instance (nothing from /etc/dovecot). */
export function dovecotConfig(c: DovecotConfigInput): string {
  const dh = "/usr/share/dovecot/dh.pem";
  return `# Private Dovecot for mps tests (test/servers/dovecot.ts)
instance_name = mps-test-${c.port}
base_dir = ${c.dir}/run
state_dir = ${c.dir}/state
log_path = ${c.dir}/dovecot.log
protocols = imap
login_greeting = ${c.greeting}
listen = 127.0.0.1
ssl = yes
ssl_cert = <${c.certFile}
ssl_key = <${c.keyFile}
${existsSync(dh) ? `ssl_dh = <${dh}` : ""}
disable_plaintext_auth = no
auth_mechanisms = ${c.mechanisms}
# No growing delays after failed logins (2, 4, 8, 15 s): failure delay 0 and the
# anvil auth penalty socket disabled below. Failures still take ~0.5 s (Dovecot
# flushes failed auth replies on a 500 ms timer).
auth_failure_delay = 0
auth_verbose = yes
auth_debug = ${c.debug ? "yes" : "no"}
# The master user (master-users) may log in as anyone, for seeding mail: SASL PLAIN
# with authzid=<user>, or LOGIN as '<user>*mps-test-master'.
auth_master_user_separator = *
mail_location = maildir:${c.dir}/mail/%u/Maildir
# Mail processes cannot run as root: the static userdb makes everyone nobody:nogroup.
first_valid_uid = 1
first_valid_gid = 1
service imap-login {
  inet_listener imap {
    port = ${c.port}
  }
  inet_listener imaps {
    port = ${c.tlsPort}
    ssl = yes
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = passwd-file
  master = yes
  args = scheme=PLAIN ${c.dir}/master-users
}
# Passwords for Imap sources ('user:{PLAIN}password' lines).
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${c.dir}/users
}
${
    c.oauth2
      ? `# Tokens (XOAUTH2, OAUTHBEARER) are checked by RFC 7662 introspection; see oauth2.conf.ext.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${c.dir}/oauth2.conf.ext
}`
      : ""
  }
${
    c.sharedMailboxes.map((mailbox, index) =>
      `# Shared mailbox ${mailbox}, as Exchange opens it: XOAUTH2 user= names it, the token is a
# delegate's; introspection names the mailbox as the token's owner when the delegate has Full Access.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  username_filter = ${mailbox}
  args = ${c.dir}/oauth2-shared-${index}.conf.ext
}`
    ).join("\n")
  }
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${c.dir}/mail/%u
}
`;
}
