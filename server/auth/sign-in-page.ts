const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** The page a browser without a session sees: one field for a token (CSP-clean: no script). */
export function signInPage(options: { next: string; error?: string }): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Stocklens</title>
<style>
  body { margin: 0; min-height: 100vh; display: grid; place-items: center; font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  main { background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; width: min(26rem, 90vw); }
  h1 { margin-top: 0; font-size: 1.4rem; }
  label { display: block; font-weight: 600; margin-bottom: .4rem; }
  input { width: 100%; box-sizing: border-box; padding: .55rem; font: inherit; border: 1px solid #8a93a6; border-radius: 4px; }
  button { margin-top: 1rem; padding: .55rem 1.2rem; font: inherit; color: #fff; background: #2456b3; border: 0; border-radius: 4px; cursor: pointer; }
  .error { color: #a4262c; }
  .hint { color: #4a5366; font-size: .9rem; }
</style>
</head>
<body>
<main>
  <h1>Sign in to Stocklens</h1>
  ${error}
  <form method="post" action="/login">
    <label for="token">Access token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <input type="hidden" name="next" value="${escapeHtml(options.next)}">
    <button type="submit">Sign in</button>
  </form>
  <p class="hint">Ask your operator for a token (<code>stocklens token create --role viewer</code>).</p>
</main>
</body>
</html>`;
}

/**
 * A page that reloads the same address. A link from another site (an alert email in webmail)
 * does not carry a SameSite=Strict cookie; the reload, started by this page, does.
 */
export function sameSiteBouncePage(): string {
  return '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0"><title>Stocklens</title></head><body></body></html>';
}
