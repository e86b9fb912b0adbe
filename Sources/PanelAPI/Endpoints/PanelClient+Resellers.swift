extension PanelClient {
    /// All resellers (`resellers/list`), whatever shape the panel sends the list in.
    public func list() async throws(PanelError) -> [Reseller] {
        let request = PanelRequest.resellersList()
        return try Reseller.list(from: try await perform(request), endpoint: request.endpoint)
    }

    /// Creates a reseller (`resellers/new`); the reply's ``PanelReply/createdID`` is its id
    /// when the panel says.
    @discardableResult
    public func new(_ reseller: NewReseller) async throws(PanelError) -> PanelReply {
        try await perform(.resellersNew(reseller))
    }

    /// Changes a reseller's fields (`resellers/update`), e.g. `["credits": 100]`.
    @discardableResult
    public func update(_ target: ResellerRef, fields: FormMap) async throws(PanelError) -> PanelReply {
        try await perform(.resellersUpdate(target, fields: fields))
    }

    /// Adds `credits` to a reseller (`resellers/add_credits`); negative amounts take credits.
    @discardableResult
    public func addCredits(_ target: ResellerRef, _ credits: Int) async throws(PanelError) -> PanelReply {
        try await perform(.resellersAddCredits(target, credits))
    }

    /// Any `group/action` the panel offers, with `params` encoded as PHP would.
    ///
    /// - Parameter kind: `.read` only if the action changes nothing (it may then be retried);
    ///   the default treats the call as a mutation.
    @discardableResult
    public func call(
        group: String, action: String, params: FormMap = [:], kind: PanelRequest.Kind = .mutation
    ) async throws(PanelError) -> PanelReply {
        try await perform(PanelRequest(group: group, action: action, params: params, kind: kind))
    }
}
