/** The dashboard's whole stylesheet: inline, so the page is one request and needs no build. */
export const DASHBOARD_CSS = `
:root { color-scheme: light dark; --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --line: #d0d7de; --muted: #6e7781; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 0 1.5rem 2rem; }
header { display: flex; align-items: center; gap: 1rem; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.3rem; margin: .8rem 0; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .4rem; }
h4 { margin: .6rem 0 .2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: color-mix(in srgb, var(--line) 35%, transparent); }
code { font: 12px ui-monospace, monospace; }
pre.tail { font: 12px ui-monospace, monospace; max-height: 18rem; overflow: auto; padding: .5rem; border: 1px solid var(--line); white-space: pre-wrap; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: 12px; color: #fff; background: var(--muted); }
.badge.ok { background: var(--ok); } .badge.warn { background: var(--warn); } .badge.bad { background: var(--bad); }
.muted { color: var(--muted); } .small { font-size: 12px; }
.num { text-align: right; white-space: nowrap; }
.slot { margin: .15rem 0; } .slot.old { opacity: .6; }
.empty { color: var(--muted); }
.problem { color: var(--bad); }
.steps { margin: .2rem 0; padding-left: 1.2rem; }
.steps li.failed { color: var(--bad); } .steps li.start { color: var(--warn); }
#logout { margin-left: auto; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1.5rem; }
`;
