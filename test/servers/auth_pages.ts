// HTML pages of the local authorization server: plain forms a browser test can fill.

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

function errorLine(error: string | undefined): string {
  return error === undefined ? "" : `<p role="alert" id="error">${escapeHtml(error)}</p>`;
}

/** The sign-in form of the authorize endpoint; `username` is prefilled from `login_hint`. */
export function loginPage(
  input: { txn: string; loginHint: string; clientId: string; scope: string; error?: string },
): string {
  return page(
    "Sign in",
    `${errorLine(input.error)}
<p>Application <code>${escapeHtml(input.clientId)}</code> asks for <code>${escapeHtml(input.scope)}</code>.</p>
<form method="post" action="authorize">
  <input type="hidden" name="txn" value="${escapeHtml(input.txn)}">
  <label>User name <input type="text" name="username" id="username" value="${
      escapeHtml(input.loginHint)
    }" autocomplete="username"></label>
  <button type="submit" name="action" value="approve" id="submit">Sign in</button>
  <button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>`,
  );
}

/** The device-code verification page (RFC 8628 `verification_uri`). */
export function devicePage(input: { userCode: string; error?: string }): string {
  return page(
    "Enter code",
    `${errorLine(input.error)}
<form method="post" action="device">
  <label>Code <input type="text" name="user_code" id="user_code" value="${escapeHtml(input.userCode)}"></label>
  <label>User name <input type="text" name="username" id="username" autocomplete="username"></label>
  <button type="submit" name="action" value="approve" id="approve">Approve</button>
  <button type="submit" name="action" value="deny" id="deny">Deny</button>
</form>`,
  );
}

export function messagePage(title: string, text: string): string {
  return page(title, `<p id="message">${escapeHtml(text)}</p>`);
}
