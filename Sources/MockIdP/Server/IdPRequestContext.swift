import Hummingbird

/// The per-request context: Hummingbird's core storage, with a small upload limit (forms are tiny).
struct IdPRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// OAuth forms are a few hundred bytes; 64 KiB leaves room and keeps a flood of huge bodies cheap.
    var maxUploadSize: Int { 64 * 1024 }
}
