import Scheduler
import Testing

private let job = "[[jobs]]\nname = \"a\"\nscript = \"/a.lua\"\nschedule = \"@daily\"\n"

/// `panel = "NAME"` and `panels = [...]`, with the suite's `parse` and `message`.
extension JobConfigurationTests {
    @Test("panels = [...] runs the job as a fleet (--panels); panel = \"eu\" names one panel; both are kept for jobs check")
    func panels() throws {
        let fleet = try parse(job + "panels = [\"eu\", \"us\"]\n").jobs[0]
        #expect(fleet.commandLine(runner: ["ns"]).suffix(2) == ["--panels", "eu,us"])
        #expect(fleet.panels == ["eu", "us"])
        let one = try parse(job + "panel = \"eu\"\n").jobs[0]
        #expect(one.commandLine(runner: ["ns"]).suffix(2) == ["--panel", "eu"])
        #expect(one.panels == ["eu"])
        #expect(try parse(job + "panel = \"http://p:8000/\"\n").jobs[0].panels == [])
        #expect(try parse(job + "panels = [\"all\"]\n").jobs[0].panels == ["all"])
    }

    @Test("panels refused: with panel, with emulator, empty, a bad name, or all among names")
    func panelsRefused() {
        #expect(message(job + "panel = \"eu\"\npanels = [\"us\"]\n") == "jobs.toml: job 'a': panels: a job names one panel (panel) or a fleet (panels), not both")
        #expect(message(job + "emulator = true\npanels = [\"us\"]\n") == "jobs.toml: job 'a': emulator: a fleet (panels) runs on the panels it names; leave out emulator")
        #expect(message(job + "panels = []\n") == "jobs.toml: job 'a': panels: name at least one panel of nightshift.toml, e.g. [\"eu\", \"us\"], or [\"all\"]")
        #expect(message(job + "panels = [\"e u\"]\n") == "jobs.toml: job 'a': panels: 'e u' is not a panel name of nightshift.toml ([panels.NAME]: letters, digits, _ and -)")
        #expect(message(job + "panels = [\"all\", \"eu\"]\n") == "jobs.toml: job 'a': panels: \"all\" stands alone: [\"all\"]")
    }
}
