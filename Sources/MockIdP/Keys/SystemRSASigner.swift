#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// RS256 signatures (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) by the system's OpenSSL 3 `libcrypto`, when the
/// machine has one.
///
/// Every RS256 token costs one RSA-2048 private-key operation, and that operation bounds token issuance. BoringSSL
/// (swift-crypto's backend) has no AVX-512 IFMA path for it; OpenSSL 3 has, and signs 2 to 3 times faster on CPUs
/// that have it (and about as fast elsewhere). The library is opened at run time with `dlopen`, so nothing is needed
/// to build, the binary still starts where there is no OpenSSL 3, and then `SigningKeys` signs with swift-crypto.
///
/// Thread safety: OpenSSL 3 allows one `EVP_PKEY` to be used by many threads at once for signing ("Thread safety"
/// in openssl-threads(7)); every signature gets its own `EVP_MD_CTX`.
final class SystemRSASigner: Sendable {
    private enum Key: @unchecked Sendable {
        case notLoaded(pem: String)
        case loaded(OpaquePointer, LibCrypto)
        case unavailable
    }

    /// Loaded on the first signature, not at start: `libcrypto` adds 3 to 4 MiB to the resident set, which a server
    /// that is started only to be inspected, or that signs with ES256, never needs.
    private let key: Mutex<Key>

    /// A signer for the RSA private key in `pem` (PKCS #1 or PKCS #8).
    init(pem: String) {
        key = Mutex(.notLoaded(pem: pem))
    }

    deinit {
        key.withLock { key in
            if case .loaded(let pointer, let library) = key { library.pkeyFree(pointer) }
        }
    }

    /// The RS256 signature of `input`; `nil` when no OpenSSL 3 `libcrypto` can be loaded or it does not read the key,
    /// so that the caller signs another way.
    func sign(_ input: [UInt8]) throws(SigningError) -> [UInt8]? {
        guard let (pointer, library) = loadedKey() else { return nil }
        guard let context = library.mdCtxNew() else { throw SigningError() }
        defer { library.mdCtxFree(context) }
        guard library.digestSignInit(context, nil, library.sha256(), nil, pointer) == 1 else { throw SigningError() }
        var signature = [UInt8](repeating: 0, count: 512)
        var length = signature.count
        let status = input.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { output in
                library.digestSign(context, output.baseAddress, &length, input.baseAddress, input.count)
            }
        }
        guard status == 1 else { throw SigningError() }
        signature.removeSubrange(length...)
        return signature
    }

    /// Whether OpenSSL signs for this key (loading it if it has not yet).
    var isAvailable: Bool { loadedKey() != nil }

    private func loadedKey() -> (OpaquePointer, LibCrypto)? {
        key.withLock { key in
            switch key {
            case .loaded(let pointer, let library): return (pointer, library)
            case .unavailable: return nil
            case .notLoaded(let pem):
                guard let library = LibCrypto.shared, let pointer = library.readPrivateKey(pem) else {
                    key = .unavailable
                    return nil
                }
                key = .loaded(pointer, library)
                return (pointer, library)
            }
        }
    }

    struct SigningError: Error, CustomStringConvertible {
        var description: String { "OpenSSL could not sign" }
    }
}

/// The handful of OpenSSL 3 `libcrypto` functions `SystemRSASigner` calls, looked up once.
private struct LibCrypto: @unchecked Sendable {
    typealias BIONewMemBuf = @convention(c) (UnsafeRawPointer?, CInt) -> OpaquePointer?
    typealias BIOFree = @convention(c) (OpaquePointer?) -> CInt
    typealias PEMReadBioPrivateKey = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> OpaquePointer?
    typealias PKeyFree = @convention(c) (OpaquePointer?) -> Void
    typealias MDCtxNew = @convention(c) () -> OpaquePointer?
    typealias MDCtxFree = @convention(c) (OpaquePointer?) -> Void
    typealias SHA256 = @convention(c) () -> OpaquePointer?
    typealias DigestSignInit = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, OpaquePointer?, OpaquePointer?
    ) -> CInt
    typealias DigestSign = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?, UnsafePointer<UInt8>?, Int
    ) -> CInt

    let bioNewMemBuf: BIONewMemBuf
    let bioFree: BIOFree
    let pemReadBioPrivateKey: PEMReadBioPrivateKey
    let pkeyFree: PKeyFree
    let mdCtxNew: MDCtxNew
    let mdCtxFree: MDCtxFree
    let sha256: SHA256
    let digestSignInit: DigestSignInit
    let digestSign: DigestSign

    /// The `EVP_PKEY` for a PEM private key, or `nil`.
    func readPrivateKey(_ pem: String) -> OpaquePointer? {
        var utf8 = Array(pem.utf8)
        return utf8.withUnsafeMutableBytes { bytes in
            guard let bio = bioNewMemBuf(bytes.baseAddress, CInt(bytes.count)) else { return nil }
            defer { _ = bioFree(bio) }
            return pemReadBioPrivateKey(bio, nil, nil, nil)
        }
    }

    /// `nil` when `MOCK_IDP_SYSTEM_CRYPTO=0`, or no OpenSSL 3 `libcrypto` is found.
    static let shared: LibCrypto? = {
        if let setting = getenv("MOCK_IDP_SYSTEM_CRYPTO"), String(cString: setting) == "0" { return nil }
        #if os(Linux)
        let names = ["libcrypto.so.3"]
        #else
        let names = ["libcrypto.3.dylib", "/opt/homebrew/opt/openssl@3/lib/libcrypto.3.dylib", "/usr/local/opt/openssl@3/lib/libcrypto.3.dylib"]
        #endif
        for name in names {
            // Never closed: the functions are used for the life of the process.
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL), let library = LibCrypto(handle) { return library }
        }
        return nil
    }()

    private init?(_ handle: UnsafeMutableRawPointer) {
        func symbol<Function>(_ name: String, as: Function.Type) -> Function? {
            dlsym(handle, name).map { unsafeBitCast($0, to: Function.self) }
        }
        guard let bioNewMemBuf = symbol("BIO_new_mem_buf", as: BIONewMemBuf.self),
            let bioFree = symbol("BIO_free", as: BIOFree.self),
            let pemReadBioPrivateKey = symbol("PEM_read_bio_PrivateKey", as: PEMReadBioPrivateKey.self),
            let pkeyFree = symbol("EVP_PKEY_free", as: PKeyFree.self),
            let mdCtxNew = symbol("EVP_MD_CTX_new", as: MDCtxNew.self),
            let mdCtxFree = symbol("EVP_MD_CTX_free", as: MDCtxFree.self),
            let sha256 = symbol("EVP_sha256", as: SHA256.self),
            let digestSignInit = symbol("EVP_DigestSignInit", as: DigestSignInit.self),
            let digestSign = symbol("EVP_DigestSign", as: DigestSign.self)
        else { return nil }
        self.bioNewMemBuf = bioNewMemBuf
        self.bioFree = bioFree
        self.pemReadBioPrivateKey = pemReadBioPrivateKey
        self.pkeyFree = pkeyFree
        self.mdCtxNew = mdCtxNew
        self.mdCtxFree = mdCtxFree
        self.sha256 = sha256
        self.digestSignInit = digestSignInit
        self.digestSign = digestSign
    }
}
