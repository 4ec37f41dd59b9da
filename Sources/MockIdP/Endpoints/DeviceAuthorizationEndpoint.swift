import Hummingbird

/// The device authorization endpoint (RFC 8628 §3.1, §3.2) and the verification page a user opens (§3.3),
/// which approves at once as the `login_hint` user or the first user.
struct DeviceAuthorizationEndpoint: Sendable {
    let state: IdPState

    /// RFC 8628 §3.2 `expires_in`. The `interval` is the client's `device_poll_interval` (default 5, RFC 8628's).
    static let lifetime = 600

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.post(RouterPath(state.paths.deviceAuthorization), use: authorize)
        router.get(RouterPath(state.paths.deviceVerification), use: verify)
        router.post(RouterPath(state.paths.deviceVerification), use: verify)
    }

    private struct Body: Encodable {
        let device_code: String
        let user_code: String
        let verification_uri: String
        let verification_uri_complete: String
        let expires_in: Int
        let interval: Int
    }

    @Sendable func authorize(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let assertions = state.assertionVerifier(endpoint: state.paths.deviceAuthorization)
        let (form, client) = try await ClientAuthentication.form(
            of: &request, maxSize: context.maxUploadSize, resolve: state.registry(resolving:), assertions: assertions
        )
        guard client.grantTypes.contains(.deviceCode) else {
            throw OAuthError(.unauthorizedClient, "client \"\(client.clientID)\" may not use the device authorization grant")
        }
        let scope = try ScopeRequest.resolve(form["scope"], for: client, registry: state.registry)
        let now = state.clock.now
        let userCode = UserCode.generate()
        let device = DeviceAuthorization(
            deviceCode: randomToken(),
            userCode: userCode,
            clientID: client.clientID,
            scope: scope,
            resources: try ResourceIndicators.parse(form, layout: state.layout),
            issuedAt: now,
            expiresAt: now + Self.lifetime,
            interval: client.devicePollInterval
        )
        await state.store.insert(device)
        let verificationURI = state.issuer.url(state.paths.deviceVerification)
        let display = UserCode.display(userCode)
        return try Response.json(
            Body(
                device_code: device.deviceCode,
                user_code: display,
                verification_uri: verificationURI,
                verification_uri_complete: verificationURI + "?user_code=" + FormParameters.encode(display),
                expires_in: Self.lifetime,
                interval: client.devicePollInterval
            ),
            headers: [.cacheControl: "no-store"]
        )
    }

    /// The verification page: with a `user_code` it approves (or, with `action=deny`, denies); without, it asks for one.
    @Sendable func verify(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let form = try await request.pageFormParameters(maxSize: context.maxUploadSize)
        guard let entered = form["user_code"] else {
            return HTML.response(HTML.page(title: "Connect a device", body: entryForm(message: nil)))
        }
        let userCode = UserCode.normalize(entered)
        let now = state.clock.now
        guard let pending = await state.store.device(userCode: userCode), pending.status(at: now) == .active, pending.approvedSub == nil else {
            let message = "The code <code>\(HTML.escape(entered))</code> is unknown, expired or already used."
            return HTML.response(HTML.page(title: "Connect a device", body: entryForm(message: message)), status: .badRequest)
        }
        // A script from POST /debug/next decides how the verification ends: a denial, or a user and a partial grant.
        let script = state.scripts.take(.device, clientID: pending.clientID)
        if let delay = script?.outcome.delayMilliseconds, delay > 0 { try? await Task.sleep(for: .milliseconds(delay)) }
        if form["action"] == "deny" || script?.error != nil {
            _ = await state.store.settleDevice(userCode: userCode, session: nil, now: now)
            return HTML.response(HTML.page(title: "Device denied", body: "<h1>Device denied</h1><p>You may close this window.</p>"))
        }
        let user: User
        if let sub = script?.outcome.sub, let scripted = state.registry.user(hint: sub) {
            user = scripted
        } else if let hint = form["login_hint"] {
            guard let found = state.registry.user(hint: hint) else {
                let message = "login_hint <code>\(HTML.escape(hint))</code> matches no user."
                return HTML.response(HTML.page(title: "Connect a device", body: entryForm(message: message)), status: .badRequest)
            }
            user = found
        } else if let first = state.registry.defaultUser {
            user = first
        } else {
            throw AuthorizationPageError(error: OAuthError(.accessDenied, "no user to sign in: users.json is empty"))
        }
        let session = await state.store.session(for: user.sub, now: now)
        let settled = await state.store.settleDevice(userCode: userCode, session: session, scope: script?.outcome.scope, now: now)
        let granted = settled?.scope ?? pending.scope
        let body = """
            <h1>Device connected</h1>
            <p>Signed in as <strong>\(HTML.escape(user.username))</strong> (sub <code>\(HTML.escape(user.sub))</code>);
            <code>\(HTML.escape(pending.clientID))</code> may now use: <code>\(HTML.escape(granted.joined(separator: " ")))</code>.</p>
            <p>You may return to your device.</p>
            """
        return HTML.response(HTML.page(title: "Device connected", body: body))
    }

    private func entryForm(message: String?) -> String {
        """
        <h1>Connect a device</h1>
        \(message.map { "<p>\($0)</p>" } ?? "")
        <form method="post" action="\(state.paths.deviceVerification.split(separator: "/").last ?? "device")">
        <label>Code shown on your device <input name="user_code" autocomplete="off" autofocus></label>
        <button type="submit">Approve</button> <button type="submit" name="action" value="deny">Deny</button>
        </form>
        """
    }
}
