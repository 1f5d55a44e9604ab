import Foundation
import XCTest
@testable import LobbyKit

/// The cost of a parcels screen on a phone with 1,000 parcels: opening the core on an
/// existing replica, and listing every parcel into Swift values. Recorded in
/// docs/benchmarks.md with the Kotlin twin (`ParcelListBenchTest`), both run in one go by
/// `scripts/ffi-bench.sh` (release library). Measured only when `LOBBY_BENCH=1`: it seeds
/// 1,000 parcels through the server, too slow for every test run. It prints its figures
/// and asserts only what was listed, never a time.
final class ParcelListBenchTests: PhoneTestCase {
    func testOpenTheCoreAndListAThousandParcels() async throws {
        try XCTSkipUnless(
            ProcessInfo.processInfo.environment["LOBBY_BENCH"] == "1", "a benchmark: set LOBBY_BENCH=1")
        let count = 1_000
        let u = unit("12/345")
        try await onboard(u)
        for i in 0..<count {
            try server.addParcel(u.unitId, recipient: "คุณสมชาย ใจดี \(i)", carrier: "Kerry Express", tracking: "KEX\(i)TH")
        }
        try await phone.sync()
        XCTAssertEqual(try phone.parcels.list().count, count)
        phone.shutdown()

        let data = dir.appendingPathComponent("phone")
        var opens: [Double] = []
        var lists: [Double] = []
        for round in 0..<21 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let lobby = try Lobby(dataDirectory: data, serverURL: nil, secrets: secrets)
            let t1 = DispatchTime.now().uptimeNanoseconds
            let parcels = try lobby.parcels.list()
            let t2 = DispatchTime.now().uptimeNanoseconds
            XCTAssertEqual(parcels.count, count)
            XCTAssertTrue(parcels.allSatisfy { $0.recipient.hasPrefix("คุณสมชาย") })
            lobby.shutdown()
            if round > 0 { // the first round warms the page cache and the code
                opens.append(Double(t1 - t0) / 1e6)
                lists.append(Double(t2 - t1) / 1e6)
            }
        }
        print("bench swift open_ms \(summary(opens)) list_1000_ms \(summary(lists))")
    }

    private func summary(_ samples: [Double]) -> String {
        let sorted = samples.sorted()
        let median = sorted[sorted.count / 2]
        return String(format: "median=%.2f min=%.2f max=%.2f n=%d", median, sorted.first!, sorted.last!, sorted.count)
    }
}
