import { html, type SafeHtml } from "./html.js";

/** The form of GET /login: it posts the token, so the token never appears in an address, a history or a log. */
export function renderLoginPage(message: string): SafeHtml {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dockhand · log in</title></head>
<body style="font: 14px system-ui, sans-serif; padding: 2rem"><h1>dockhand</h1><p id="login-message">${message}</p>
<form method="post" action="/login"><label>Admin token <input type="password" name="token" autocomplete="current-password" required></label>
<button type="submit">Log in</button></form></body></html>`;
}
