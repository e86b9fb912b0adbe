/// The release both executables report with `--version`.
public enum NightshiftVersion {
    /// This release.
    public static let current = "0.2.0"
}
