import Foundation
import XCTest
@testable import LobbyKit

/// The person's units and the current unit, read from the replica — also with the server
/// stopped and after the core was shut down — the twin of the Kotlin `UnitsTest`.
final class UnitsTests: PhoneTestCase {
    func testAPhoneNotSignedInHasNoCurrentUnit() throws {
        XCTAssertNil(try phone.units.current())
    }

    func testTheFirstUnitIsTheCurrentUnitAfterOnboarding() async throws {
        try await onboard(unit("12/345"))
        XCTAssertEqual(try phone.units.current()?.unitId, unit("12/345").unitId)
    }

    func testChoosingAnotherUnitMakesItCurrent() async throws {
        try await onboard(unit("12/345"))
        _ = try await phone.auth.claimOnboarding(unit("12/346").payload)
        try phone.units.setCurrent(unit("12/346").unitId)
        XCTAssertEqual(try phone.units.current()?.unitNumber, "12/346")
    }

    func testChoosingAUnitOfSomeoneElseIsNotFound() async throws {
        try await onboard(unit("12/345"))
        let someoneElses = unit("B-1203").unitId
        await assertFailsWithCode(.notFound) { try self.phone.units.setCurrent(someoneElses) }
    }

    func testTheUnitsOfAShutDownLobbyFailWithClosed() async throws {
        try await onboard(unit("12/345"))
        phone.ffi.shutdown()
        await assertFailsWithCode(.closed) { try self.phone.units.list() }
    }

    /// Kotlin's `close()` is Swift's `shutdown()` (the native objects go with the last
    /// reference).
    func testClosingTheLobbyTwiceIsHarmless() async throws {
        try await onboard(unit("12/345"))
        phone.shutdown()
        phone.shutdown() // and the test's own tearDown shuts it down a third time
    }

    func testUnitsAnswerFromTheReplicaAndSyncReportsOfflineAfterTheServerStops() async throws {
        try await onboard(unit("12/345"))
        server.close()
        XCTAssertEqual(try phone.units.list().map(\.unitNumber), ["12/345"])
        let report = try await phone.sync()
        XCTAssertEqual(report.state, .offline)
        XCTAssertEqual(phone.syncStatusNow.state, .offline)
    }
}
