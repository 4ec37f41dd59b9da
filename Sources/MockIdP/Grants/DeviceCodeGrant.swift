/// Polling for the device authorization grant (RFC 8628 §3.4, §3.5).
struct DeviceCodeGrant: Sendable {
    let state: IdPState
    var overrides = TokenOverrides()

    func handle(_ form: FormParameters, client: Client) async throws -> TokenResponse {
        guard let deviceCode = form["device_code"] else {
            throw OAuthError(.invalidRequest, "device_code is missing")
        }
        let device: DeviceAuthorization
        switch await state.store.poll(deviceCode: deviceCode, clientID: client.clientID, now: state.clock.now) {
        case .approved(let approved):
            device = approved
        case .pending:
            throw OAuthError(.authorizationPending, "the user has not yet approved this device")
        case .slowDown(let interval):
            throw OAuthError(.slowDown, "polling too fast: wait at least \(interval) seconds between requests")
        case .denied:
            throw OAuthError(.accessDenied, "the user denied this device")
        case .expired:
            throw OAuthError(.expiredToken, "the device code has expired; start a new device authorization")
        case .redeemed:
            throw OAuthError(.invalidGrant, "the device code was already exchanged for tokens")
        case .unknown:
            throw OAuthError(.invalidGrant, "unknown device code")
        }
        guard let sub = device.approvedSub, let user = state.registry.user(sub: sub) else {
            throw OAuthError(.invalidGrant, "the user who approved this device no longer exists")
        }
        return try await state.tokens.issue(
            for: Authorization(
                client: client,
                user: user,
                scope: device.scope,
                authTime: device.authTime,
                sid: device.sid,
                nonce: nil,
                grantID: device.deviceCode,
                audience: device.resources.isEmpty ? client.audience : device.resources,
                withRefreshToken: client.grantTypes.contains(.refreshToken)
            ),
            overrides: overrides
        )
    }
}
