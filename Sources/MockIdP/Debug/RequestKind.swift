/// Which endpoint a logged request went to, named for what it does in a flow.
enum RequestKind: String, Sendable, Codable {
    case authorization = "authorization_request"
    case token = "token_request"
    case userinfo
    case introspection
    case revocation
    case deviceAuthorization = "device_authorization"
    case deviceVerification = "device_verification"
    case logout
    case registration
    case discovery
    case other

    /// - Parameter path: the request's path below the issuer's mount.
    init(path: String, paths: EndpointPaths) {
        switch path {
        case paths.authorize: self = .authorization
        case paths.token: self = .token
        case paths.userinfo: self = .userinfo
        case paths.introspection: self = .introspection
        case paths.revocation: self = .revocation
        case paths.deviceAuthorization: self = .deviceAuthorization
        case paths.deviceVerification: self = .deviceVerification
        case paths.endSession, paths.legacyLogout: self = .logout
        case paths.jwks, paths.openIDConfiguration, paths.authorizationServerMetadata: self = .discovery
        default:
            if let registration = paths.registration, path == registration || path.hasPrefix(registration + "/") {
                self = .registration
            } else {
                self = .other
            }
        }
    }
}
