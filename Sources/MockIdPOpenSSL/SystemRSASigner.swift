#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
package import MockIdP
import Synchronization

/// RS256 through the system's OpenSSL 3 `libcrypto`: the backend the `mock-idp` binary injects into MockIdP
/// (`MockIdPConfiguration.rs256Backend`). The library itself never loads it.
package struct SystemRSABackend: RS256Backend {
    /// A backend that loads `libcrypto` on the first signature.
    package init() {}

    /// A signer for `pem`, or `nil` when no OpenSSL 3 `libcrypto` can be loaded or it cannot read the key.
    package func signer(pem: String) -> (any RS256Signer)? {
        SystemRSASigner(pem: pem)
    }
}

/// RS256 signatures (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) by the system's OpenSSL 3 `libcrypto`, when the
/// machine has one.
///
/// Every RS256 token costs one RSA-2048 private-key operation, and that operation bounds token issuance. BoringSSL
/// (swift-crypto's backend) has no AVX-512 IFMA path for it; OpenSSL 3 has, and signs 2 to 3 times faster on CPUs
/// that have it (and about as fast elsewhere). The library is opened at run time with `dlopen`, so nothing is needed
/// to build, the binary still starts where there is no OpenSSL 3, and then MockIdP signs with jwt-kit over swift-crypto.
///
/// Setting up an OpenSSL signing context looks up the algorithm's implementation under a lock each time, so prepared
/// contexts are kept and reused, one per signature in flight; the SHA-256 digest is swift-crypto's. A context is used
/// by one thread at a time; the key behind them is shared, which OpenSSL allows for signing (openssl-threads(7)).
package final class SystemRSASigner: RS256Signer {
    private enum State: @unchecked Sendable {
        case notLoaded(pem: String)
        /// The key, and the idle signing contexts for it.
        case loaded(LibCrypto, key: OpaquePointer, idle: [OpaquePointer])
        case unavailable
    }

    /// Loaded on the first signature, not at start: `libcrypto` adds 3 to 4 MiB to the resident set, which a server
    /// that is started only to be inspected, or that signs with ES256, never needs.
    private let state: Mutex<State>

    /// A signer for the RSA private key in `pem` (PKCS #1 or PKCS #8).
    package init(pem: String) {
        state = Mutex(.notLoaded(pem: pem))
    }

    deinit {
        state.withLock { state in
            guard case .loaded(let library, let key, let idle) = state else { return }
            idle.forEach(library.pkeyCtxFree)
            library.pkeyFree(key)
        }
    }

    /// The RS256 signature of `input`; `nil` when no OpenSSL 3 `libcrypto` can be loaded or it does not read the key,
    /// so that the caller signs another way.
    package func sign(_ input: [UInt8]) throws(SigningError) -> [UInt8]? {
        guard let (library, context) = try takeContext() else { return nil }
        let digest = Array(SHA256.hash(data: input))
        var signature = [UInt8](repeating: 0, count: 512)
        var length = signature.count
        let status = signature.withUnsafeMutableBufferPointer { output in
            library.pkeySign(context, output.baseAddress, &length, digest, digest.count)
        }
        guard status == 1 else {
            library.pkeyCtxFree(context)
            throw SigningError()
        }
        state.withLock { state in
            if case .loaded(let library, let key, var idle) = state {
                idle.append(context)
                state = .loaded(library, key: key, idle: idle)
            } else {
                library.pkeyCtxFree(context)
            }
        }
        signature.removeSubrange(length...)
        return signature
    }

    /// Whether OpenSSL signs for this key (loading it if it has not yet).
    package var isAvailable: Bool {
        guard let (library, context) = try? takeContext() else { return false }
        library.pkeyCtxFree(context)
        return true
    }

    /// An idle signing context, or a new one; `nil` when OpenSSL is not there.
    private func takeContext() throws(SigningError) -> (LibCrypto, OpaquePointer)? {
        let taken: (LibCrypto, OpaquePointer?, key: OpaquePointer)? = state.withLock { state in
            switch state {
            case .unavailable:
                return nil
            case .loaded(let library, let key, var idle):
                let context = idle.popLast()
                state = .loaded(library, key: key, idle: idle)
                return (library, context, key)
            case .notLoaded(let pem):
                guard let library = LibCrypto.shared, let key = library.readPrivateKey(pem) else {
                    state = .unavailable
                    return nil
                }
                state = .loaded(library, key: key, idle: [])
                return (library, nil, key)
            }
        }
        guard let (library, idle, key) = taken else { return nil }
        if let idle { return (library, idle) }
        guard let context = library.signingContext(key) else { throw SigningError() }
        return (library, context)
    }

    /// OpenSSL failed to sign (it had loaded the key).
    package struct SigningError: Error, CustomStringConvertible {
        /// `OpenSSL could not sign`.
        package var description: String { "OpenSSL could not sign" }
    }
}

/// The handful of OpenSSL 3 `libcrypto` functions `SystemRSASigner` calls, looked up once.
private struct LibCrypto: @unchecked Sendable {
    typealias BIONewMemBuf = @convention(c) (UnsafeRawPointer?, CInt) -> OpaquePointer?
    typealias BIOFree = @convention(c) (OpaquePointer?) -> CInt
    typealias PEMReadBioPrivateKey = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> OpaquePointer?
    typealias Free = @convention(c) (OpaquePointer?) -> Void
    typealias PKeyCtxNew = @convention(c) (OpaquePointer?, OpaquePointer?) -> OpaquePointer?
    typealias PKeyCtxSetup = @convention(c) (OpaquePointer?) -> CInt
    typealias PKeyCtxSetInt = @convention(c) (OpaquePointer?, CInt) -> CInt
    typealias PKeyCtxSetMD = @convention(c) (OpaquePointer?, OpaquePointer?) -> CInt
    typealias MDGetter = @convention(c) () -> OpaquePointer?
    typealias PKeySign = @convention(c) (
        OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?, UnsafePointer<UInt8>?, Int
    ) -> CInt

    let bioNewMemBuf: BIONewMemBuf
    let bioFree: BIOFree
    let pemReadBioPrivateKey: PEMReadBioPrivateKey
    let pkeyFree: Free
    let pkeyCtxNew: PKeyCtxNew
    let pkeyCtxFree: Free
    let pkeySignInit: PKeyCtxSetup
    let setRSAPadding: PKeyCtxSetInt
    let setSignatureMD: PKeyCtxSetMD
    let sha256: MDGetter
    let pkeySign: PKeySign

    /// `RSA_PKCS1_PADDING` from <openssl/rsa.h>.
    static let pkcs1Padding: CInt = 1

    /// The `EVP_PKEY` for a PEM private key, or `nil`.
    func readPrivateKey(_ pem: String) -> OpaquePointer? {
        var utf8 = Array(pem.utf8)
        return utf8.withUnsafeMutableBytes { bytes in
            guard let bio = bioNewMemBuf(bytes.baseAddress, CInt(bytes.count)) else { return nil }
            defer { _ = bioFree(bio) }
            return pemReadBioPrivateKey(bio, nil, nil, nil)
        }
    }

    /// A context that signs SHA-256 digests with `key`, PKCS #1 v1.5 (the digest wrapped in its DigestInfo).
    func signingContext(_ key: OpaquePointer) -> OpaquePointer? {
        guard let context = pkeyCtxNew(key, nil) else { return nil }
        guard pkeySignInit(context) == 1, setRSAPadding(context, Self.pkcs1Padding) == 1,
            setSignatureMD(context, sha256()) == 1
        else {
            pkeyCtxFree(context)
            return nil
        }
        return context
    }

    /// `nil` when no OpenSSL 3 `libcrypto` is found.
    static let shared: LibCrypto? = {
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
            let pkeyFree = symbol("EVP_PKEY_free", as: Free.self),
            let pkeyCtxNew = symbol("EVP_PKEY_CTX_new", as: PKeyCtxNew.self),
            let pkeyCtxFree = symbol("EVP_PKEY_CTX_free", as: Free.self),
            let pkeySignInit = symbol("EVP_PKEY_sign_init", as: PKeyCtxSetup.self),
            let setRSAPadding = symbol("EVP_PKEY_CTX_set_rsa_padding", as: PKeyCtxSetInt.self),
            let setSignatureMD = symbol("EVP_PKEY_CTX_set_signature_md", as: PKeyCtxSetMD.self),
            let sha256 = symbol("EVP_sha256", as: MDGetter.self),
            let pkeySign = symbol("EVP_PKEY_sign", as: PKeySign.self)
        else { return nil }
        self.bioNewMemBuf = bioNewMemBuf
        self.bioFree = bioFree
        self.pemReadBioPrivateKey = pemReadBioPrivateKey
        self.pkeyFree = pkeyFree
        self.pkeyCtxNew = pkeyCtxNew
        self.pkeyCtxFree = pkeyCtxFree
        self.pkeySignInit = pkeySignInit
        self.setRSAPadding = setRSAPadding
        self.setSignatureMD = setSignatureMD
        self.sha256 = sha256
        self.pkeySign = pkeySign
    }
}
