import Foundation

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init(prefix: String = "mock-idp-bench") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    /// Creates the empty file `name` in the directory and opens it for writing (a child's standard output or error).
    func createFile(_ name: String) throws -> (url: URL, handle: FileHandle) {
        let url = url.appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw BenchError("cannot create \(url.path)")
        }
        return (url, try FileHandle(forWritingTo: url))
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
