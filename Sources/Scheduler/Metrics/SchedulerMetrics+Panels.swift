import Metrics

extension SchedulerMetrics {
    /// Each panel's run of a finished job run, from its receipt, with a `panel` label: a
    /// fleet job (`panels = [...]`) counts one per panel, a job on one panel one.
    ///
    /// - `nightshift_panel_runs_total{job, panel, status}`
    /// - `nightshift_panel_writes_sent_total{job, panel}`
    /// - `nightshift_panel_credits_moved_total{job, panel}`
    func countPanels(_ run: JobRun) {
        for panel in run.panels ?? [] {
            let labels = [("job", run.job), ("panel", panel.panel)]
            Counter(label: "nightshift_panel_runs_total", dimensions: labels + [("status", panel.status.rawValue)], factory: factory)
                .increment()
            Counter(label: "nightshift_panel_writes_sent_total", dimensions: labels, factory: factory)
                .increment(by: max(0, panel.writesSent))
            Counter(label: "nightshift_panel_credits_moved_total", dimensions: labels, factory: factory)
                .increment(by: max(0, panel.creditsMoved))
        }
    }
}
