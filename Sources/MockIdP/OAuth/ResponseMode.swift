/// How an authorization response reaches the client (OAuth 2.0 Multiple Response Types §2.1, Form Post Response Mode).
enum ResponseMode: String, Sendable, CaseIterable {
    case query
    case fragment
    case formPost = "form_post"
}
