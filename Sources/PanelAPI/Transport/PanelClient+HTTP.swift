import Logging

extension PanelClient {
    /// A client over a new ``HTTPTransport`` whose pool holds as many connections as the
    /// configuration's ``PanelConfiguration/concurrency``; shut the transport down when done.
    public static func http(configuration: PanelConfiguration, logger: Logger) -> (PanelClient, HTTPTransport) {
        let transport = HTTPTransport(
            connectTimeout: min(configuration.connectTimeout, configuration.timeout),
            maxConnections: configuration.concurrency, logger: logger)
        return (PanelClient(configuration: configuration, transport: transport, logger: logger), transport)
    }
}
