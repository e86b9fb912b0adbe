import Foundation
import NightshiftCore
import Scheduler
import Testing

/// A run's panels, from its receipt, in the job notification and the metrics.
@Suite("each panel's run in job notifications and metrics")
struct FleetReportingTests {
    static var fleetRun: JobRun {
        var run = JobRun(
            id: 7, job: "topup", slot: 1_777_597_200, kind: .scheduled, status: .failed, reason: "1 of 2 panels did not succeed: us: failed (x)",
            exitCode: 9, runID: "f1e2d3c4b5a6", writesSent: 3, creditsMoved: 30)
        run.panels = [
            PanelOutcome(panel: "eu", runID: "a1", status: .succeeded, exitCode: 0, writesSent: 3, creditsMoved: 30),
            PanelOutcome(panel: "us", runID: "b2", status: .failed, exitCode: 1, error: "x", errorKind: "transport failure"),
        ]
        return run
    }

    @Test("the notification's JSON lists each panel's run and names the failed ones")
    func notification() throws {
        let message = JobNotification(event: .failure, run: Self.fleetRun, zone: .utc)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(message.json())) as? [String: Any])
        #expect(object["failed_panels"] as? [String] == ["us"])
        let panels = try #require(object["panels"] as? [[String: Any]])
        #expect(panels.count == 2)
        #expect(panels[1]["panel"] as? String == "us")
        #expect(panels[1]["status"] as? String == "failed")
        #expect(panels[1]["error"] as? String == "x")
        #expect(panels[0]["credits_moved"] as? Int == 30)
        #expect(message.text.hasSuffix(": 1 of 2 panels did not succeed: us: failed (x)"))
        var custom = Self.fleetRun
        custom.panels = nil
        let none = try #require(try JSONSerialization.jsonObject(with: Data(JobNotification(event: .failure, run: custom, zone: .utc).json())) as? [String: Any])
        #expect(none["panels"] is NSNull)
        #expect(none["failed_panels"] is NSNull)
    }

    @Test("the metrics count each panel's run with a panel label")
    func metrics() {
        let metrics = SchedulerMetrics()
        metrics.runFinished(Self.fleetRun, job: nil, retrying: false)
        let text = metrics.exposition()
        #expect(text.contains(#"nightshift_panel_runs_total{job="topup",panel="eu",status="succeeded"} 1"#), "\(text)")
        #expect(text.contains(#"nightshift_panel_runs_total{job="topup",panel="us",status="failed"} 1"#))
        #expect(text.contains(#"nightshift_panel_credits_moved_total{job="topup",panel="eu"} 30"#))
        #expect(text.contains(#"nightshift_panel_writes_sent_total{job="topup",panel="us"} 0"#))
        #expect(text.contains(#"nightshift_runs_total{job="topup",status="failed",host="-"} 1"#))
    }
}
