extension DashboardPage {
    /// Phases carry a text label everywhere; colour only repeats it.
    static let style = #"""
        :root {
          color-scheme: light dark;
          --bg: #f6f7f9; --card: #ffffff; --fg: #1f2933; --muted: #5b6573; --border: #dde1e7; --stripe: #f8f9fb;
          --link: #1d4ed8; --code-bg: #eef1f5;
          --ok: #16a34a; --ok-bg: #dcfce7; --ok-fg: #166534;
          --cached: #0d9488; --cached-bg: #ccfbf1; --cached-fg: #115e59;
          --fail: #dc2626; --fail-bg: #fee2e2; --fail-fg: #991b1b;
          --timeout: #ea580c; --timeout-bg: #ffedd5; --timeout-fg: #9a3412;
          --run: #2563eb; --run-bg: #dbeafe; --run-fg: #1e40af;
          --pending: #94a3b8; --pending-bg: #eef2f6; --pending-fg: #475569;
          --cancel: #6b7280; --cancel-bg: #f0f1f3; --cancel-fg: #374151;
          --skip: #a8a29e; --skip-bg: #f5f5f4; --skip-fg: #57534e;
          --invalid: #c026d3; --invalid-bg: #fae8ff; --invalid-fg: #86198f;
          --warn-bg: #fef3c7; --warn-fg: #854d0e; --warn-border: #f59e0b;
        }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #111418; --card: #1a1f26; --fg: #e6e9ee; --muted: #9aa4b2; --border: #2c333d; --stripe: #1f252d;
                  --link: #93b4ff; --code-bg: #252c36; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
               font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
        a { color: var(--link); }
        code, pre { font-family: ui-monospace, "SFMono-Regular", "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 0.88em; }
        code { background: var(--code-bg); padding: 0.05em 0.35em; border-radius: 4px; }
        .page-head { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-end; gap: 0.5rem 2rem;
                     max-width: 1240px; margin: 0 auto; padding: 1.25rem 1.5rem 0.75rem; }
        .brand h1 { margin: 0; font-size: 1.6rem; letter-spacing: -0.01em; }
        .tagline { margin: 0; color: var(--muted); }
        .meta { text-align: right; }
        .meta p { margin: 0; }
        .summary { font-weight: 600; }
        .updated { color: var(--muted); font-size: 0.9rem; }
        .updated.stale { color: var(--fail-fg); }
        main { max-width: 1240px; margin: 0 auto; padding: 0 1.5rem; }
        .banner { max-width: 1192px; margin: 0.25rem auto 1rem; padding: 0.75rem 1rem; border-radius: 8px;
                  background: var(--fail-bg); color: var(--fail-fg); border: 1px solid var(--fail); }
        .banner strong { display: block; }
        .empty { background: var(--card); border: 1px dashed var(--border); border-radius: 10px; padding: 2rem; text-align: center; color: var(--muted); }
        .workflow { background: var(--card); border: 1px solid var(--border); border-radius: 10px; margin: 0 0 1.25rem;
                    padding: 1rem 1.25rem 1.1rem; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04); }
        .wf-head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.9rem; }
        .wf-head h2 { margin: 0; font-size: 1.2rem; }
        .facts { display: flex; flex-wrap: wrap; gap: 0.25rem 1.5rem; margin: 0.5rem 0 0.25rem; color: var(--muted); font-size: 0.9rem; }
        .facts div { display: flex; gap: 0.35rem; }
        .facts dt { font-weight: 600; }
        .facts dd { margin: 0; color: var(--fg); }
        .badge { display: inline-flex; align-items: center; gap: 0.4em; padding: 0.1em 0.6em; border-radius: 999px;
                 font-size: 0.82rem; font-weight: 600; white-space: nowrap; background: var(--pending-bg); color: var(--pending-fg); }
        .badge::before { content: ""; width: 0.55em; height: 0.55em; border-radius: 50%; background: var(--pending); }
        .phase-succeeded { background: var(--ok-bg); color: var(--ok-fg); } .phase-succeeded::before { background: var(--ok); }
        .phase-cached { background: var(--cached-bg); color: var(--cached-fg); } .phase-cached::before { background: var(--cached); }
        .phase-failed { background: var(--fail-bg); color: var(--fail-fg); } .phase-failed::before { background: var(--fail); }
        .phase-timedOut { background: var(--timeout-bg); color: var(--timeout-fg); } .phase-timedOut::before { background: var(--timeout); }
        .phase-running { background: var(--run-bg); color: var(--run-fg); } .phase-running::before { background: var(--run); }
        .phase-cancelled { background: var(--cancel-bg); color: var(--cancel-fg); } .phase-cancelled::before { background: var(--cancel); }
        .phase-skipped { background: var(--skip-bg); color: var(--skip-fg); } .phase-skipped::before { background: var(--skip); }
        .phase-invalid { background: var(--invalid-bg); color: var(--invalid-fg); } .phase-invalid::before { background: var(--invalid); }
        .phase-removed { background: var(--cancel-bg); color: var(--cancel-fg); } .phase-removed::before { background: var(--cancel); }
        .health-up { background: var(--ok-bg); color: var(--ok-fg); } .health-up::before { background: var(--ok); }
        .health-down { background: var(--fail-bg); color: var(--fail-fg); } .health-down::before { background: var(--fail); }
        .manifest-errors { margin: 0.75rem 0; padding: 0.6rem 0.9rem; border-left: 4px solid var(--fail); background: var(--fail-bg);
                           color: var(--fail-fg); border-radius: 0 6px 6px 0; }
        .manifest-errors h3 { margin: 0 0 0.2rem; font-size: 0.95rem; }
        .manifest-errors p { margin: 0 0 0.3rem; font-size: 0.88rem; }
        .manifest-errors ul { margin: 0; padding-left: 1.2rem; }
        .manifest-errors code { background: transparent; padding: 0; color: inherit; }
        .table-wrap { overflow-x: auto; margin-top: 0.75rem; }
        table { border-collapse: collapse; width: 100%; font-size: 0.9rem; table-layout: fixed; min-width: 860px; }
        caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--border); vertical-align: top;
                 overflow-wrap: anywhere; }
        thead th { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); border-bottom-width: 2px;
                   white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        tbody tr:nth-child(even of .task-row) { background: var(--stripe); }
        col.c-task { width: 18%; } col.c-phase { width: 10%; } col.c-duration { width: 9%; } col.c-attempts { width: 9%; }
        col.c-exit { width: 9%; } col.c-node { width: 10%; } col.c-service { width: 16%; } col.c-anomaly { width: 19%; }
        .service-address { display: block; margin-bottom: 0.15rem; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        th.num { text-align: right; }
        .task-name { font-weight: 600; }
        .task-name a { margin-left: 0.45em; font-size: 0.8rem; font-weight: 400; }
        .task-sub { display: block; color: var(--muted); font-size: 0.8rem; font-weight: 400; }
        .tag { display: inline-block; margin-left: 0.4em; padding: 0 0.4em; border: 1px solid var(--border); border-radius: 4px;
               font-size: 0.72rem; font-weight: 600; color: var(--muted); vertical-align: 1px; }
        .none { color: var(--muted); }
        .anomaly { display: inline-block; background: var(--warn-bg); color: var(--warn-fg); border-left: 3px solid var(--warn-border);
                   padding: 0.1em 0.5em; border-radius: 0 4px 4px 0; font-size: 0.85rem; }
        .detail-row td { background: transparent; padding-top: 0; }
        details summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
        details pre { margin: 0.35rem 0 0.2rem; padding: 0.6rem 0.8rem; background: var(--code-bg); border-radius: 6px;
                      max-height: 16rem; overflow: auto; white-space: pre-wrap; }
        .gantt { margin: 1rem 0 0; }
        .gantt figcaption { font-weight: 600; color: var(--muted); font-size: 0.85rem; text-transform: uppercase;
                            letter-spacing: 0.04em; margin-bottom: 0.3rem; }
        .gantt svg { width: 100%; height: auto; display: block; }
        .gantt .note { color: var(--muted); font-size: 0.85rem; margin: 0.3rem 0 0; }
        .gantt .axis line { stroke: var(--border); }
        .gantt .axis text, .gantt .label, .gantt .bar-text { fill: var(--muted); font-size: 12px; }
        .gantt .label { fill: var(--fg); font-weight: 600; }
        .gantt .lane { fill: var(--stripe); }
        .bar { fill: var(--pending); }
        .bar.phase-succeeded { fill: var(--ok); } .bar.phase-cached { fill: var(--cached); } .bar.phase-failed { fill: var(--fail); }
        .bar.phase-timedOut { fill: var(--timeout); } .bar.phase-running { fill: var(--run); } .bar.phase-cancelled { fill: var(--cancel); }
        .bar.phase-skipped { fill: var(--skip); }
        .gantt .bar-text.warn { fill: var(--warn-fg); }
        .bar.planned { fill: none; stroke: var(--muted); stroke-width: 1.5; stroke-dasharray: 4 3; }
        .legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.8rem; color: var(--muted); margin-top: 0.35rem; }
        .legend span { display: inline-flex; align-items: center; gap: 0.35em; }
        .legend i { display: inline-block; width: 0.7em; height: 0.7em; border-radius: 2px; }
        .legend i + i { margin-left: -0.2em; }
        .legend i.planned { width: 1.4em; }
        .legend i.planned { border: 1.5px dashed var(--muted); }
        .page-foot { max-width: 1240px; margin: 0 auto; padding: 0.5rem 1.5rem 2rem; color: var(--muted); font-size: 0.85rem; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        """#
}
