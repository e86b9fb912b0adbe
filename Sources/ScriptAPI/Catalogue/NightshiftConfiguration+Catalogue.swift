import NightshiftConfig
extension NightshiftConfiguration {
    /// The script API runs with this configuration offer: the standard catalogue and the
    /// endpoints declared in `[[endpoints]]`.
    public var catalogue: APICatalogue { DeclaredEndpoints.catalogue(endpoints) }
}
