/// The dashboard at `GET /`: one self-contained page (no CDN, no build step) that polls `api/v1/workflows`.
///
/// Everything the page shows is put into the DOM with `textContent` and `setAttribute`, never parsed as HTML,
/// so a workflow or task name cannot inject markup.
enum DashboardPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sluice</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        <header class="page-head">
          <div class="brand">
            <h1>Sluice</h1>
            <p class="tagline">GitOps reconciler for AI workflows</p>
          </div>
          <div class="meta">
            <p id="summary" class="summary"></p>
            <p id="updated" class="updated">Loading workflows…</p>
          </div>
        </header>
        <div id="banner-slot"></div>
        <main id="workflows" aria-busy="true">
          <noscript><p class="empty">This dashboard needs JavaScript; the same data is at <a href="api/v1/workflows">api/v1/workflows</a>.</p></noscript>
        </main>
        <footer class="page-foot">
          <a href="api/v1/workflows">JSON</a> · <a href="metrics">metrics</a> · refreshes every 2 s
        </footer>
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
}
