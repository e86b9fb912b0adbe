import LuaHost
import PanelAPI

/// The panel as the host code of one run sees it: every read and write checked against the
/// run's grant, every write against its credit caps and audited, and writes sent, planned
/// or confirmed according to the mode. The run's ``GuardedPanel`` is the one implementation;
/// groups (`resellers.*`, declared endpoints) build ``Read``s and ``Write``s and hand them
/// over. Used on the run's thread only.
package protocol RunPanel: AnyObject {
    /// Live, dry-run or confirm (the REPL switches it).
    var mode: RunMode { get }
    /// What the run may do.
    var grant: Grant { get }
    /// The script API the run offers.
    var catalogue: APICatalogue { get }

    /// Sends a read (in every mode): refused unless its function is granted.
    func read(_ read: Read) -> CallStep<PanelReply>
    /// Sends a read and waits for it in place: for host code that needs an answer before
    /// it can make a write (the balance a `set` is measured against).
    func readNow(_ read: Read) -> Result<PanelReply, ScriptFailure>
    /// Checks a write against the grant and the caps, audits it, and sends, plans or
    /// confirms it; `observer` is the group's stand-in for the panel in a dry-run and hears
    /// of the write once it is applied.
    func perform(_ write: Write, observer: any WriteObserver) -> CallStep<PanelReply>
    /// Records a write that cannot be made (its target is unknown, a read it needs failed):
    /// audited as failed, nothing sent.
    func fail(_ write: Write, _ failure: ScriptFailure) -> CallStep<PanelReply>
    /// Credits counted under `account` count under `other` from now on (a new reseller's
    /// credits move to its id once the panel gives it one).
    func mergeCreditAccount(_ account: String, into other: String)
    /// A group's state for this run, made on first use (dropped when a REPL session enters
    /// or leaves dry-run, so reads see the panel again).
    func state<State: AnyObject>(_ type: State.Type, make: () -> State) -> State
    /// `notify.send`: see `GuardedPanel+Notify.swift`.
    func notify(target: String, body: [UInt8], location: String?) -> CallStep<LuaValue>
}
