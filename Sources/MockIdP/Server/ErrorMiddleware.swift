import Hummingbird
import Logging

/// The outermost middleware: every error leaves as an OAuth-shaped JSON response, and nothing escapes as a bare 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = IdPRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OAuthError {
            return try error.response(from: request, context: context)
        } catch let error as AuthorizationPageError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let code: OAuthError.Code = error.status.code < 500 ? .invalidRequest : .serverError
            return try OAuthError(code, error.body ?? error.status.reasonPhrase, status: error.status, headers: error.headers)
                .response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return try OAuthError(.serverError, "unexpected error: \(error)", status: .internalServerError).response(from: request, context: context)
        }
    }
}
