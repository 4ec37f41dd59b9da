#!/usr/bin/env bash
# A package of a user's, depending on MockIdP through a git URL (not a path), resolves, builds and runs the README's
# Swift examples.
#
#   bash Tests/consumer-package.sh
#
# The examples are the code blocks that README.md marks with `<!-- consumer-example: NAME -->` on the line before
# them (in "Use it in your tests"); each becomes one file of the consumer's test target, unchanged. The consumer's
# manifest uses README's `.product(name: "MockIdP", package: …)` line as printed; its `.package` line names the
# same package, by a file:// URL to a bare clone of this repository's committed HEAD (the work tree's uncommitted
# changes are not tested: commit first), pinned with `revision:`. The bare clone is named after the package identity
# README's lines use, as the last path component of a clone URL gives it.
#
# Passes when `swift test` passes in the consumer, ran both examples' tests, and the build printed no warning from
# the example files. Everything lives in .build-consumer/ (git-ignored); the consumer's build folder stays there
# between runs, so a later run rebuilds only what changed (a first one builds the whole dependency tree in debug).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
readme="$root/README.md"
work="$root/.build-consumer"
consumer="$work/consumer"
tests="$consumer/Tests/ConsumerTests"

fail() {
    echo "consumer-package.sh: $*" >&2
    exit 1
}

# The code block right after `<!-- consumer-example: NAME -->`: a ```swift line must follow the comment directly.
example() {
    awk -v marker="<!-- consumer-example: $1 -->" '
        state == 0 && $0 == marker { state = 1; next }
        state == 1 { if ($0 != "```swift") exit 1; state = 2; next }
        state == 2 && $0 == "```" { state = 3; exit }
        state == 2 { print }
        END { if (state != 3) exit 1 }
    ' "$readme" || fail "README.md has no \`\`\`swift block right after <!-- consumer-example: $1 -->"
}

product=$(grep -o '\.product(name: "MockIdP", package: "[^"]*")' "$readme" | sort -u)
[[ -n "$product" ]] || fail 'README.md shows no .product(name: "MockIdP", package: "…") line'
[[ $(wc -l <<<"$product") == 1 ]] || fail "README.md shows different .product lines for MockIdP: $product"
identity=$(sed 's/.*package: "\([^"]*\)")/\1/' <<<"$product")
# README's .package line must give that identity: a URL whose last path component is IDENTITY.git (or IDENTITY).
grep -Eq "\.package\(url: \"[^\"]*/$identity(\.git)?\"" "$readme" \
    || fail "README.md's .package(url: …) line does not end in /$identity.git, so package: \"$identity\" would not name it"

revision=$(git rev-parse HEAD)
mkdir -p "$work"
rm -rf "$work/$identity.git"
git clone --quiet --bare "$root" "$work/$identity.git"
# HEAD may be detached (a CI checkout) and so on no branch the clone copied: fetch it by name.
git --git-dir="$work/$identity.git" fetch --quiet "$root" "+$revision:refs/heads/tested"

mkdir -p "$tests"
rm -f "$consumer/Package.resolved" "$tests"/*.swift
cat >"$consumer/Package.swift" <<EOF
// swift-tools-version:6.2
// Written by Tests/consumer-package.sh: a user's package depending on MockIdP by URL.
import PackageDescription

let package = Package(
    name: "Consumer",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "file://$work/$identity.git", revision: "$revision"),
    ],
    targets: [
        .testTarget(
            name: "ConsumerTests",
            dependencies: [
                $product,
            ]
        ),
    ]
)
EOF
example swift-testing >"$tests/SwiftTestingExample.swift"
example xctest >"$tests/XCTestExample.swift"

echo "consumer-package.sh: MockIdP at $revision, as package \"$identity\"; building the consumer in $consumer" >&2
log="$work/swift-test.log"
status=0
(cd "$consumer" && swift test 2>&1) | tee "$log" || status=$?
[[ $status == 0 ]] || fail "swift test failed in the consumer package (exit status $status; output in $log)"

if grep -E "ConsumerTests/[^:]+\.swift:[0-9]+:[0-9]+: warning:" "$log"; then
    fail "the README's examples compile with warnings (above)"
fi
grep -Eq "Executed [1-9][0-9]* tests?, with 0 failures" "$log" || fail "no XCTest test ran (the xctest example)"
grep -Eq "Test run with [1-9][0-9]* tests? .*passed" "$log" || fail "no Swift Testing test ran (the swift-testing example)"
echo "consumer-package.sh: the README's examples build and pass in a package depending on MockIdP by git URL" >&2
