import Foundation
import XCTest
@testable import LobbyKit

/// Stream hygiene: every `AsyncStream` of the wrapper holds a core subscription (a uniffi
/// `TaskHandle`) while it is consumed, and gives it up when its consumer stops — its task
/// cancelled, or its `for await` loop left — or the Lobby shuts down. Read through the
/// Lobby's internal registry (`liveSubscriptions`: handles registered and not reported
/// finished by the core) and the handles themselves (`isFinished()`), so a stream that
/// forgot to cancel leaves a count above 0 and fails here. Swift only: a Kotlin `Flow`
/// ends its subscription in `awaitClose`, which coroutines guarantee.
final class StreamTests: PhoneTestCase {
    /// A stream and a consumer of it: `consume` iterates the stream with `for await`,
    /// made fresh so that nothing but the loop holds it, calling `onValue` for each value
    /// and leaving the loop as soon as `onValue` answers false.
    private struct Subject {
        let name: String
        let consume: (_ onValue: @escaping () -> Bool) async -> Void
    }

    /// Every stream of the wrapper, on a signed-in phone with something to show (a waiting
    /// parcel not announced yet, an announcement); each yields at once. Add a new stream
    /// here; that it subscribes through `CoreSubscriptions.stream` at all is checked by
    /// scripts/ffi-parity.py (every call answering a `TaskHandle` must sit inside it).
    private func everyStream() async throws -> [Subject] {
        try await onboard(unit("12/345"))
        try server.addParcel(unit("12/345").unitId, recipient: "สมชาย ใจดี", carrier: "Kerry")
        _ = try server.postAnnouncement(project, title: "ตัดน้ำประปา")
        try await phone.sync()
        let phone = phone!
        return [
            Subject(name: "syncStatus") { onValue in
                for await _ in phone.syncStatus { guard onValue() else { break } }
            },
            Subject(name: "parcelArrivals") { onValue in
                for await _ in phone.parcelArrivals { guard onValue() else { break } }
            },
            Subject(name: "observe(_:query:)") { onValue in
                for await _ in phone.observe([], query: { 1 }) { guard onValue() else { break } }
            },
            Subject(name: "parcels.observe") { onValue in
                for await _ in phone.parcels.observe(in: phone) { guard onValue() else { break } }
            },
            Subject(name: "announcements.observe") { onValue in
                for await _ in phone.announcements.observe(in: phone) { guard onValue() else { break } }
            },
            Subject(name: "announcements.unreadCounts") { onValue in
                for await _ in phone.announcements.unreadCounts() { guard onValue() else { break } }
            },
            Subject(name: "meetings.observe") { onValue in
                for await _ in phone.meetings.observe() { guard onValue() else { break } }
            },
            Subject(name: "invoices.observe") { onValue in
                for await _ in phone.invoices.observe(in: phone) { guard onValue() else { break } }
            },
            Subject(name: "consents.observeToAsk") { onValue in
                for await _ in phone.consents.observeToAsk(in: phone) { guard onValue() else { break } }
            },
            Subject(name: "privacy.observeRequests") { onValue in
                for await _ in phone.privacy.observeRequests(in: phone) { guard onValue() else { break } }
            },
        ]
    }

    func testCancellingTheConsumerOfEachStreamEndsItsCoreSubscription() async throws {
        for subject in try await everyStream() {
            XCTAssertEqual(phone.liveSubscriptions, 0, "\(subject.name): before")
            let seen = Seen()
            let consumer = Task {
                await subject.consume { seen.add(); return true }
                seen.end()
            }
            // Consuming: the stream yields and holds exactly one core subscription.
            let yielded = await waitUntil { seen.count > 0 }
            XCTAssertTrue(yielded, "\(subject.name): yields at once")
            let handles = phone.subscriptions.liveHandles
            XCTAssertEqual(handles.count, 1, "\(subject.name): one live core subscription while consumed")
            XCTAssertFalse(handles.first?.isFinished() ?? true, "\(subject.name): its handle runs")

            consumer.cancel()
            let ended = await waitUntil { seen.ended }
            XCTAssertTrue(ended, "\(subject.name): the consumer's loop ends when its task is cancelled")
            let released = await waitUntil { self.phone.liveSubscriptions == 0 }
            XCTAssertTrue(released, "\(subject.name): the core subscription ends with its consumer")
            XCTAssertTrue(handles.allSatisfy { $0.isFinished() }, "\(subject.name): the handle reports finished")
        }
    }

    func testLeavingTheLoopEndsTheCoreSubscription() async throws {
        for subject in try await everyStream() {
            XCTAssertEqual(phone.liveSubscriptions, 0, "\(subject.name): before")
            let inside = Box<[TaskHandle]>([])
            let phone = phone!
            let consumer = Task {
                // The first value, then the consumer stops iterating.
                await subject.consume { inside.value = phone.subscriptions.liveHandles; return false }
            }
            let yielded = await waitUntil { !inside.value.isEmpty }
            XCTAssertTrue(yielded, "\(subject.name): yields at once")
            if !yielded { consumer.cancel() }
            await consumer.value
            let handles = inside.value
            XCTAssertEqual(handles.count, 1, "\(subject.name): one live core subscription inside the loop")
            let released = await waitUntil { phone.liveSubscriptions == 0 }
            XCTAssertTrue(released, "\(subject.name): leaving the loop ends the core subscription")
            XCTAssertTrue(handles.allSatisfy { $0.isFinished() }, "\(subject.name): the handle reports finished")
        }
    }

    func testAStreamKeptByItsConsumerHoldsItsSubscriptionUntilReleased() async throws {
        // The other side of the rule: a stream not yet iterated, but kept, is a consumer too.
        var stream: AsyncStream<SyncStatus>? = phone.syncStatus
        XCTAssertEqual(phone.liveSubscriptions, 1)
        try await Task.sleep(nanoseconds: 100_000_000)
        XCTAssertEqual(phone.liveSubscriptions, 1, "a kept stream keeps its subscription")
        XCTAssertNotNil(stream)
        stream = nil
        let released = await waitUntil { self.phone.liveSubscriptions == 0 }
        XCTAssertTrue(released, "a stream dropped without being iterated ends its subscription")
    }

    func testShuttingDownEndsEveryStream() async throws {
        let subjects = try await everyStream()
        let consumers = subjects.map { subject -> (String, Seen) in
            let seen = Seen()
            Task {
                await subject.consume { seen.add(); return true }
                seen.end()
            }
            return (subject.name, seen)
        }
        let all = await waitUntil { self.phone.liveSubscriptions == subjects.count }
        XCTAssertTrue(all, "one live core subscription per consumed stream, got \(phone.liveSubscriptions)")
        XCTAssertFalse(phone.isShutDown)

        phone.shutdown()
        XCTAssertTrue(phone.isShutDown)
        for (name, seen) in consumers {
            let ended = await waitUntil { seen.ended }
            XCTAssertTrue(ended, "\(name): the consumer's loop ends when the Lobby shuts down")
        }
        let released = await waitUntil { self.phone.liveSubscriptions == 0 }
        XCTAssertTrue(released, "no core subscription outlives the shutdown")
    }

    func testAStreamOfAShutDownLobbyEndsAtOnce() async throws {
        let subjects = try await everyStream()
        phone.shutdown()
        // syncStatus subscribes without failing (the core answers a handle already
        // finished); the others are refused with `closed`: either way the stream ends.
        for subject in subjects {
            let seen = Seen()
            Task {
                await subject.consume { seen.add(); return true }
                seen.end()
            }
            let ended = await waitUntil(seconds: 5) { seen.ended }
            XCTAssertTrue(ended, "\(subject.name): a stream of a shut-down Lobby ends at once")
            XCTAssertEqual(phone.liveSubscriptions, 0, "\(subject.name): and holds no core subscription")
        }
    }
}

/// What a consumer saw: how many values, and whether its loop ended.
private final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var values = 0
    private var finished = false

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return values
    }

    var ended: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    func add() {
        lock.lock()
        values += 1
        lock.unlock()
    }

    func end() {
        lock.lock()
        finished = true
        lock.unlock()
    }
}

private final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T

    init(_ value: T) { stored = value }

    var value: T {
        get {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
        set {
            lock.lock()
            stored = newValue
            lock.unlock()
        }
    }
}

/// Waits (sleeping, not blocking a thread, up to `seconds`) until `condition` holds, so
/// that a stream that never ends fails the test instead of hanging it.
private func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return condition()
}
