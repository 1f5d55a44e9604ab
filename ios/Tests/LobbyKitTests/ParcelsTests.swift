import Foundation
import XCTest
@testable import LobbyKit

/// Parcels (DESIGN.md §2.4), the twin of the Kotlin `ParcelsTest`: `phone` is Somchai,
/// owner of 12/345 in the demo registry; staff log parcels, attach photos and verify and
/// hand over against pickup passes through the server's admin API.
final class ParcelsTests: PhoneTestCase {
    /// A 32×24 JPEG (a red–green gradient, the picture the Kotlin test draws with
    /// java.awt), encoded once with Pillow (quality 75, optimized): Swift on Linux has no image
    /// encoder, and the server decodes the photo's header (`domain::files::check_photo`).
    static let jpeg = Data(base64Encoded: """
        /9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAx\
        NDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIy\
        MjIyMjIyMjL/wAARCAAYACADASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAABQAEB//EABgQAAIDAAAAAAAAAAAAAAAAAAAD\
        BSIx/8QAFwEBAQEBAAAAAAAAAAAAAAAABQYBB//EABsRAAIDAAMAAAAAAAAAAAAAAAADAgUhBDFh/9oADAMBAAIRAxEAPwDjiI3K\
        iaI3KjiI3KiaI3KgDeb6ZX2PWgaI3KiaI3KjiI3KiaI3Khjeb6XNfY9aZURuVE0RuVIgprZHFK9880TRG5UTRG5UiDHNkXNe+eaf\
        /9k=
        """, options: .ignoreUnknownCharacters)!

    func testParcelsAreListedAfterSyncAndFilteredWithTheServerStopped() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let somchai = try server.addParcel(
            u.unitId, recipient: "คุณสมชาย ใจดี", carrier: "Kerry Express", tracking: "KEX123456789TH")
        _ = try server.addParcel(u.unitId, recipient: "Jane Doe", carrier: "ไปรษณีย์ไทย")
        try await phone.sync()
        server.close()
        XCTAssertEqual(try phone.parcels.list().count, 2)
        let mine = try phone.parcels.list(recipient: "สมชาย")
        XCTAssertEqual(mine.map(\.parcelId), [somchai])
        XCTAssertEqual(mine.first?.status, .waiting)
        XCTAssertEqual(mine.first?.tracking, "KEX123456789TH")
        XCTAssertEqual(try phone.parcels.list(recipient: "jane").count, 1)
        XCTAssertEqual(try phone.parcels.list(status: .pickedUp).count, 0)
    }

    func testANewParcelIsAnnouncedUntilMarkedAndThenNeverAgain() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let id = try server.addParcel(u.unitId, recipient: "คุณสมชาย ใจดี", carrier: "Kerry Express")
        try await phone.sync()
        XCTAssertEqual(try phone.parcels.newArrivals().map(\.parcelId), [id])
        XCTAssertEqual(try phone.parcels.newArrivals().map(\.parcelId), [id])
        try phone.parcels.markAnnounced([id])
        XCTAssertEqual(try phone.parcels.newArrivals().map(\.parcelId), [])
        try await phone.sync()
        XCTAssertEqual(try phone.parcels.newArrivals().map(\.parcelId), [])
    }

    func testTheArrivalsFlowTellsTheAppOfANewParcelAfterSync() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let id = try server.addParcel(u.unitId, recipient: "คุณสมชาย ใจดี", carrier: "ไปรษณีย์ไทย")
        try await phone.sync()
        let arrivals = StreamInbox(phone.parcelArrivals)
        defer { arrivals.cancel() }
        let announced = try await arrivals.next()
        XCTAssertEqual(announced.map(\.parcelId), [id])
        try phone.parcels.markAnnounced(announced.map(\.parcelId))
        XCTAssertEqual(try phone.parcels.newArrivals().map(\.parcelId), [])
    }

    func testTheObservedParcelListReEmitsWhenASyncBringsAParcelAndWhenItIsHandedOver() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let seen = StreamInbox(phone.parcels.observe(in: phone))
        defer { seen.cancel() }
        let first = try await seen.next()
        XCTAssertEqual(first, [])
        let id = try server.addParcel(u.unitId, recipient: "คุณสมชาย ใจดี", carrier: "ไปรษณีย์ไทย")
        try await phone.sync()
        var list = try await seen.next()
        while list.isEmpty { list = try await seen.next() }
        XCTAssertEqual(list.map(\.parcelId), [id])
        let pass = try phone.parcels.pickupPass()
        _ = try server.handOver(pass.payload, parcelIds: [id])
        try await phone.sync()
        list = try await seen.next()
        while list.count != 1 || list[0].status != .pickedUp { list = try await seen.next() }
        XCTAssertEqual(list[0].timeline.last?.step, .handedOver)
    }

    func testAPickupPassMadeWithTheServerStoppedIsVerifiedAfterwardsAndTheHandoverSyncsBack() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let parcel = try server.addParcel(u.unitId, recipient: "คุณสมชาย ใจดี", carrier: "Kerry Express")
        try await phone.sync()

        server.close()
        let pass = try phone.parcels.pickupPass()
        XCTAssertTrue(pass.keyRegistered)
        XCTAssertEqual(pass.unitId, u.unitId)
        XCTAssertTrue(pass.payload.hasPrefix("LOBBY:PICKUP:1:"))
        let secondsLeft = Int(pass.validUntil.timeIntervalSince1970) - Int(Date().timeIntervalSince1970)
        XCTAssertTrue((50...90).contains(secondsLeft), "valid for \(secondsLeft) s")
        let png = try phone.parcels.pickupQrPng(pass)
        XCTAssertEqual(Data(png.dropFirst().prefix(3)), Data("PNG".utf8))
        XCTAssertEqual(try LobbyQR.read(png), pass.payload)

        // The server is back (same database); staff scan the pass.
        server = try TestServer.start(in: dir)
        let verified = try server.verifyPickup(pass.payload)
        XCTAssertEqual(verified["unit_id"] as? String, u.unitId)
        let listed = (verified["parcels"] as? [[String: Any]] ?? []).map { $0["parcel_id"] as? String }
        XCTAssertEqual(listed, [parcel])
        let altered = String(pass.payload.dropLast()) + (pass.payload.last == "A" ? "B" : "A")
        XCTAssertEqual(try server.verifyPickupRefusal(altered), "pickup_pass_invalid")
        XCTAssertEqual(try server.handOver(pass.payload, parcelIds: [parcel]), [parcel])

        try phone.setServerURL(server.url)
        try await phone.sync()
        let all = try phone.parcels.list()
        XCTAssertEqual(all.count, 1)
        let got = try XCTUnwrap(all.first)
        XCTAssertEqual(got.status, .pickedUp)
        XCTAssertEqual(got.timeline.map(\.step), [.logged, .handedOver])
        XCTAssertEqual(got.timeline.count, 2)
        guard got.timeline.count == 2 else { return }
        XCTAssertEqual(got.timeline[1].method, "qr")
        XCTAssertEqual(got.timeline[1].collectedBy, "สมชาย ใจดี")
        XCTAssertNotNil(got.timeline[1].staff)
    }

    func testAPassFromAPhoneThatSignedOutIsRefusedAndNoneIsMadeWithoutASignIn() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let pass = try phone.parcels.pickupPass(unitId: u.unitId)
        _ = try await phone.auth.logout(everywhere: false)
        XCTAssertEqual(try server.verifyPickupRefusal(pass.payload), "pickup_pass_revoked")
        await assertFailsWithCode(.unauthorized) { try phone.parcels.pickupPass(unitId: u.unitId) }
    }

    func testAParcelPhotoIsFetchedOnceAndThenShownWithTheServerStopped() async throws {
        let u = unit("12/345")
        try await onboard(u)
        let id = try server.addParcel(u.unitId, recipient: "คุณสมชาย ใจดี", carrier: "Kerry Express")
        let jpeg = Self.jpeg
        let fileId = try server.setParcelPhoto(id, jpeg: jpeg)
        try await phone.sync()
        let listed = try phone.parcels.list()
        XCTAssertEqual(listed.count, 1)
        let photo = try XCTUnwrap(listed.first?.photo, "the synced parcel has no photo")
        XCTAssertEqual(photo.fileId, fileId)
        XCTAssertEqual(photo.size, UInt64(jpeg.count))
        XCTAssertEqual(photo.cached, false)
        let fetched = try await phone.parcels.photo(id)
        XCTAssertEqual(fetched, jpeg)
        XCTAssertEqual(try phone.parcels.list().first?.photo?.cached, true)
        server.close()
        let cached = try await phone.parcels.photo(id)
        XCTAssertEqual(cached, jpeg)
    }
}
