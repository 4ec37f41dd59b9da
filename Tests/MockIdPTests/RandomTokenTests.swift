import Foundation
import Testing

@testable import MockIdP

@Suite struct RandomTokenTests {
    @Test("tokens drawn from concurrent tasks are all distinct and of the asked length")
    func distinct() async {
        let tokens = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<1000).map { _ in randomToken() } }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(tokens.count == 8000)
        #expect(Set(tokens).count == 8000)
        #expect(tokens.allSatisfy { $0.base64URLDecoded?.count == 32 })
        #expect(randomToken(bytes: 16).base64URLDecoded?.count == 16)
        #expect(randomToken(bytes: 5000).base64URLDecoded?.count == 5000)
    }

    @Test("the bytes are not biased: every byte value turns up about equally often")
    func spread() {
        var counts = [Int](repeating: 0, count: 256)
        for _ in 0..<2000 {
            for byte in randomToken().base64URLDecoded! { counts[Int(byte)] += 1 }
        }
        // 64,000 bytes: 250 of each value expected; a fair source stays well within 150...350.
        #expect(counts.allSatisfy { (150...350).contains($0) }, "\(counts.min()!)...\(counts.max()!)")
    }
}
