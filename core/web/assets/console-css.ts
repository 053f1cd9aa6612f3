/**
 * The console's stylesheet, served from /web/assets/console.css. Light and dark follow the
 * system (prefers-color-scheme); text contrast is at least 4.5:1 in both; one column at phone
 * width; a visible focus ring for keyboard users.
 */
export const CONSOLE_CSS = String.raw`:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa;
  --link: #0550ae; --focus: #0969da; --ok: #116329; --ok-bg: #dafbe1; --bad: #a40e26; --bad-bg: #ffebe9;
  --wait: #7d4e00; --wait-bg: #fff8c5; --off: #57606a; --off-bg: #eaeef2;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --panel: #161b22;
    --link: #79c0ff; --focus: #58a6ff; --ok: #7ee787; --ok-bg: #0f2a17; --bad: #ffa198; --bad-bg: #3a1214;
    --wait: #f2cc60; --wait-bg: #2e2307; --off: #c9d1d9; --off-bg: #262c33;
  }
}
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 10; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
.brand { font-weight: 700; color: var(--fg); text-decoration: none; }
.top nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.signout { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.muted { color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
td.reason { max-width: 28rem; overflow-wrap: anywhere; }
.state { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-weight: 600; font-size: .9em; border: 1px solid currentColor; }
.state-pending { color: var(--wait); background: var(--wait-bg); }
.state-approved { color: var(--ok); background: var(--ok-bg); }
.state-denied, .state-revoked { color: var(--bad); background: var(--bad-bg); }
.state-expired { color: var(--off); background: var(--off-bg); }
.notice { padding: .5rem .75rem; border-radius: .25rem; border: 1px solid currentColor; }
.notice-error { color: var(--bad); background: var(--bad-bg); }
.notice-ok { color: var(--ok); background: var(--ok-bg); }
.empty { color: var(--muted); font-style: italic; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin: .5rem 0 1rem; }
.filters label, form label { display: block; font-weight: 600; }
input, select, textarea, button { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--muted); border-radius: .25rem; padding: .35rem .5rem; }
textarea, .new-request input:not([type="checkbox"]), .revoke input { width: 100%; max-width: 40rem; }
form.review button, form.revoke button, form.new-request button { justify-self: start; }
button { cursor: pointer; background: var(--panel); font-weight: 600; }
button.approve { color: var(--ok); border-color: var(--ok); }
button.deny { color: var(--bad); border-color: var(--bad); }
.buttons { display: flex; gap: .75rem; margin-top: .5rem; }
form.review, form.revoke, form.new-request { margin-top: 1rem; display: grid; gap: .5rem; }
fieldset { border: 1px solid var(--line); border-radius: .25rem; }
.check { display: flex; gap: .5rem; align-items: baseline; }
.check label { font-weight: 400; }
.details { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
.details div { display: contents; }
.details dt { font-weight: 600; }
.details dd { margin: 0; overflow-wrap: anywhere; }
.reviews, .timeline { padding-left: 1.25rem; }
blockquote { margin: .25rem 0 .5rem; padding-left: .75rem; border-left: 3px solid var(--line); }
pre { background: var(--panel); padding: .5rem .75rem; overflow-x: auto; border-radius: .25rem; }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
.live-status:empty { display: none; }
[hidden] { display: none !important; }
@media (max-width: 40rem) {
  .details { grid-template-columns: 1fr; }
  .details dt { margin-top: .5rem; }
  .signout { margin-left: 0; }
  th:nth-child(4), td:nth-child(4) { display: none; }
}
`;
