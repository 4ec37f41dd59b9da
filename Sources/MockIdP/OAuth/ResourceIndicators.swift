/// Resource indicators (RFC 8707): which resource servers an access token is for, i.e. its `aud`.
enum ResourceIndicators {
    /// RFC 8707 §2: "invalid_target" for a resource that is not an absolute URI or has a fragment.
    static let invalidTarget = OAuthError.Code(rawValue: "invalid_target")

    /// The `resource` parameters of a request, each checked.
    ///
    /// - Parameter layout: in the Auth0 layout, Auth0's `audience` (an API identifier, any string) is one more.
    static func parse(_ form: FormParameters, layout: MockIdPConfiguration.Layout = .standard) throws(OAuthError) -> [String] {
        var resources = form.all("resource")
        for resource in resources {
            // RFC 8707 §2: "MUST be an absolute URI ... MUST NOT include a fragment component."
            if RedirectURI.problem(with: resource) != nil {
                throw OAuthError(invalidTarget, "resource \"\(resource)\" must be an absolute URI without a fragment (RFC 8707 §2)")
            }
        }
        if layout == .auth0, let audience = form["audience"], !audience.isEmpty, !resources.contains(audience) {
            resources.append(audience)
        }
        return resources
    }

    /// The audience for a token request: the request's resources (which must lie within `authorized`, if any
    /// were authorized), else the authorized ones, else the client's `audience` fixture.
    static func audience(requested: [String], authorized: [String], client: Client) throws(OAuthError) -> [String] {
        if let outside = requested.first(where: { !authorized.isEmpty && !authorized.contains($0) }) {
            throw OAuthError(invalidTarget, "resource \"\(outside)\" was not part of the authorization")
        }
        if !requested.isEmpty { return requested }
        return authorized.isEmpty ? client.audience : authorized
    }
}
