/// The discovery document's fields as each layout's vendor publishes them: a field the vendor's own document lacks is
/// dropped, informational fields it always has are added. Only what MockIdP implements is advertised, so a vendor's
/// fields for features MockIdP lacks (Keycloak's PAR and CIBA endpoints, Entra's Kerberos endpoint) stay out; README
/// lists them.
///
/// References: a Keycloak 26 realm's `/.well-known/openid-configuration`, an Entra tenant's
/// `/v2.0/.well-known/openid-configuration`, an Auth0 tenant's `/.well-known/openid-configuration`.
enum VendorDiscovery {
    /// - Parameters:
    ///   - tenant: the issuer's name (the Keycloak realm, the Entra tenant).
    ///   - base: the issuer's endpoint base URL.
    static func adjust(_ document: inout [String: ClaimValue], layout: MockIdPConfiguration.Layout, tenant: String?, base: String) {
        switch layout {
        case .standard:
            return
        case .keycloak:
            // No vendor document has it (MockIdP still resolves a URL client_id under every layout).
            document.removeValue(forKey: "client_id_metadata_document_supported")
            document["claim_types_supported"] = .array(["normal"])
            document["require_request_uri_registration"] = .bool(true)
            add(["preferred_username", "typ", "realm_access", "resource_access"], toClaimsOf: &document)
        case .entra:
            // Entra's document has none of these.
            for field in [
                "grant_types_supported", "code_challenge_methods_supported", "prompt_values_supported", "claims_parameter_supported",
                "request_parameter_supported", "authorization_response_iss_parameter_supported", "client_id_metadata_document_supported",
                "token_endpoint_auth_signing_alg_values_supported",
            ] {
                document.removeValue(forKey: field)
            }
            document["http_logout_supported"] = .bool(true)
            document["tenant_region_scope"] = "NA"
            document["cloud_instance_name"] = "microsoftonline.com"
            document["cloud_graph_host_name"] = "graph.windows.net"
            document["msgraph_host"] = "graph.microsoft.com"
            document["rbac_url"] = "https://pas.windows.net"
            add(["tid", "oid", "ver", "preferred_username", "name", "email"], toClaimsOf: &document)
        case .auth0:
            for field in [
                "grant_types_supported", "prompt_values_supported", "claims_parameter_supported", "authorization_response_iss_parameter_supported",
                "revocation_endpoint_auth_methods_supported", "client_id_metadata_document_supported",
                "revocation_endpoint_auth_signing_alg_values_supported",
            ] {
                document.removeValue(forKey: field)
            }
            add(["nickname", "picture", "updated_at"], toClaimsOf: &document)
        }
    }

    private static func add(_ claims: [String], toClaimsOf document: inout [String: ClaimValue]) {
        guard case .array(var listed)? = document["claims_supported"] else { return }
        for claim in claims where !listed.contains(.string(claim)) { listed.append(.string(claim)) }
        document["claims_supported"] = .array(listed)
    }
}
