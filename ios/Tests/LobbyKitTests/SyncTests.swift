import Foundation
import XCTest
@testable import LobbyKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sync against a real server: the core's status listener, the wrapper's `syncStatus`
/// stream, and the outbox with the server stopped — the twin of the Kotlin `SyncTest`,
/// plus Swift-only checks of faults: the server down and back, and a stream consumer
/// cancelled in the middle of a sync.
final class SyncTests: PhoneTestCase {
    // MARK: Twins of SyncTest.kt

    func testTheListenerGetsTheCurrentStatusBeforeSubscribeReturns() {
        let recorder = Recorder()
        let handle = phone.ffi.subscribeSyncState(listener: recorder)
        defer { handle.cancel() }
        XCTAssertEqual(recorder.seen, [.idle])
    }

    func testASyncMovesTheListenerThroughSyncingToIdle() async throws {
        try await onboard(unit("12/345"))
        let recorder = Recorder()
        let handle = phone.ffi.subscribeSyncState(listener: recorder)
        defer { handle.cancel() }
        try await phone.sync()
        _ = await waitUntil { recorder.seen.count >= 3 && recorder.seen.last == .idle }
        let seen = recorder.seen
        XCTAssertEqual(seen.first, .idle)
        XCTAssertEqual(seen.count > 1 ? seen[1] : nil, .syncing)
        XCTAssertEqual(seen.last, .idle)
    }

    func testACancelledSubscriptionGetsNoMoreUpdates() async throws {
        let recorder = Recorder()
        let handle = phone.ffi.subscribeSyncState(listener: recorder)
        handle.cancel()
        try await phone.sync()
        try await Task.sleep(nanoseconds: 100_000_000)
        XCTAssertEqual(recorder.seen.count, 1)
        XCTAssertTrue(handle.isFinished())
    }

    func testTheStatusFlowStartsWithTheCurrentStatus() async throws {
        let seen = StreamInbox(phone.syncStatus)
        defer { seen.cancel() }
        let first = try await seen.next(within: 5)
        XCTAssertEqual(first.state, .idle)
        XCTAssertEqual(first.pending, 0)
    }

    func testAProfileEditMadeOfflineWaitsInTheOutbox() async throws {
        try await onboard(unit("12/345"))
        server.close()
        try phone.profile.setDisplayName("ชาย")
        XCTAssertEqual(try phone.outbox().map(\.kind), ["profile_update"])
        let report = try await phone.sync()
        XCTAssertEqual(report.state, .offline)
        XCTAssertEqual(phone.syncStatusNow.pending, 1)
        XCTAssertEqual(try phone.profile.get()?.displayName, "ชาย")
    }

    // MARK: Swift-only: bad input and faults

    /// The server stops and comes back (a new process on the same database, on a new
    /// port): while it is down every sync reports `offline` and the queued edit stays in
    /// the outbox; once it is back the next sync delivers it — the server has it, as a
    /// second phone of the same owner sees — and nothing is left queued.
    func testTheServerDownAndBackLosesNothingFromTheOutbox() async throws {
        try await onboard(unit("12/345"))
        try await phone.sync()
        server.close()
        try phone.profile.setDisplayName("ชาย")
        for _ in 0..<2 {
            let report = try await phone.sync()
            XCTAssertEqual(report.state, .offline)
            XCTAssertEqual(phone.syncStatusNow.state, .offline)
            XCTAssertEqual(phone.syncStatusNow.pending, 1)
            XCTAssertEqual(try phone.outbox().map(\.kind), ["profile_update"])
        }

        // A new server process on this test's database (`dir/server.db`), as after a
        // restart: same accounts and data, a new port.
        server = try TestServer.start(in: dir)
        try phone.setServerURL(server.url)
        let back = try await phone.sync()
        XCTAssertEqual(back.state, .idle)
        XCTAssertEqual(back.pushed, 1)
        XCTAssertEqual(back.rejected, 0)
        XCTAssertEqual(phone.syncStatusNow.state, .idle)
        XCTAssertEqual(phone.syncStatusNow.pending, 0)
        XCTAssertEqual(try phone.outbox(), [])
        let profile = try phone.profile.get()
        XCTAssertEqual(profile?.displayName, "ชาย")
        XCTAssertEqual(profile?.pendingEdits, 0)

        let other = try secondPhone()
        defer { other.shutdown() }
        _ = try await other.auth.loginPassword(Self.somchaiPhone, password: Self.password)
        try await other.sync()
        XCTAssertEqual(try other.profile.get()?.displayName, "ชาย")
    }

    /// A screen that stops reading `syncStatus` while a sync is under way (its task
    /// cancelled) ends its core subscription, leaves the sync to finish, and the next sync
    /// succeeds. The sync is held mid-way by a proxy in front of the server, so the
    /// cancellation lands while the phone is `syncing`, every run.
    func testCancellingTheSyncStatusConsumerMidSyncLeavesNothingRunningAndTheNextSyncSucceeds() async throws {
        try await onboard(unit("12/345"))
        let proxy = try GatedProxy(to: server.url)
        defer { proxy.stop() }
        try phone.setServerURL(proxy.url)
        let lobby: Lobby = phone

        let log = StateLog()
        let consumer = Task {
            for await status in lobby.syncStatus { log.append(status.state) }
            log.finish()
        }
        let subscribed = await waitUntil { log.states == [.idle] }
        XCTAssertTrue(subscribed, "the stream gave \(log.states), not the current status")
        // The stream's core subscription, the only one this phone has.
        let handles = lobby.subscriptions.liveHandles
        XCTAssertEqual(handles.count, 1)

        let syncing = Task { try await lobby.sync() }
        let held = await waitUntil { log.states.contains(.syncing) && proxy.waiting > 0 }
        XCTAssertTrue(held, "no sync held at the proxy; the consumer saw \(log.states)")
        XCTAssertEqual(phone.syncStatusNow.state, .syncing)

        consumer.cancel()
        let ended = await waitUntil { log.isFinished }
        XCTAssertTrue(ended, "the cancelled consumer's loop did not end")
        // Still mid-sync: the cancellation did not wait for the sync, nor end it.
        XCTAssertEqual(phone.syncStatusNow.state, .syncing)
        let seenBeforeRelease = log.states
        // Its core subscription ended with it, the sync still under way.
        let unsubscribed = await waitUntil { lobby.liveSubscriptions == 0 }
        XCTAssertTrue(unsubscribed, "\(lobby.liveSubscriptions) core subscription(s) left running")
        XCTAssertTrue(handles.allSatisfy { $0.isFinished() })
        XCTAssertEqual(phone.syncStatusNow.state, .syncing)

        proxy.release()
        let report = try await syncing.value
        XCTAssertEqual(report.state, .idle)
        let next = try await phone.sync()
        XCTAssertEqual(next.state, .idle)
        XCTAssertEqual(phone.syncStatusNow.state, .idle)
        // Nothing reached the cancelled consumer after it stopped, and nothing subscribed again.
        XCTAssertEqual(log.states, seenBeforeRelease)
        XCTAssertEqual(lobby.liveSubscriptions, 0)
    }
}

// MARK: Helpers

/// Records every state the core delivers, in order.
private final class Recorder: SyncStateListener, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [SyncState] = []

    var seen: [SyncState] {
        lock.lock()
        defer { lock.unlock() }
        return states
    }

    func onUpdate(status: SyncStatus) {
        lock.lock()
        defer { lock.unlock() }
        states.append(status.state)
    }
}

/// What a `syncStatus` consumer saw, and whether its loop ended.
private final class StateLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [SyncState] = []
    private var finished = false

    var states: [SyncState] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    var isFinished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return finished
    }

    func append(_ state: SyncState) {
        lock.lock()
        defer { lock.unlock() }
        seen.append(state)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        finished = true
    }
}

/// Waits (polling, up to `seconds`, without blocking a thread) until `condition` holds.
private func waitUntil(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    return condition()
}

/// A TCP proxy on a loopback port in front of the test server that holds every new
/// connection at a gate until `release()`: a sync through it stays `syncing` for as
/// long as the test needs, whatever the machine's speed.
private final class GatedProxy: @unchecked Sendable {
    let url: String
    private let listener: Int32
    private let upstreamPort: UInt16
    private let gate = NSCondition()
    private var isOpen = false
    private var stopped = false
    private var held = 0

    /// `upstream`: the server's URL, `http://127.0.0.1:PORT`.
    init(to upstream: String) throws {
        guard let port = URL(string: upstream)?.port else { throw TestFailure("no port in \(upstream)") }
        upstreamPort = UInt16(port)
        let fd = socket(AF_INET, socketStream, 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0, listen(fd, 16) == 0 else {
            _ = close(fd)
            throw TestFailure("bind/listen: errno \(errno)")
        }
        listener = fd
        url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    /// How many connections wait at the gate.
    var waiting: Int {
        gate.lock()
        defer { gate.unlock() }
        return held
    }

    /// Lets every held and later connection through to the server.
    func release() {
        gate.lock()
        isOpen = true
        gate.broadcast()
        gate.unlock()
    }

    /// Stops accepting; held connections are dropped.
    func stop() {
        gate.lock()
        stopped = true
        gate.broadcast()
        gate.unlock()
        _ = shutdown(listener, Int32(SHUT_RDWR))
        _ = close(listener)
    }

    private func serve(_ client: Int32) {
        gate.lock()
        held += 1
        while !isOpen && !stopped { gate.wait() }
        held -= 1
        let pass = !stopped
        gate.unlock()
        let upstream = pass ? connectUpstream() : -1
        guard upstream >= 0 else {
            _ = close(client)
            return
        }
        let done = DispatchGroup()
        for (from, to) in [(client, upstream), (upstream, client)] {
            done.enter()
            Thread.detachNewThread {
                pump(from: from, to: to)
                done.leave()
            }
        }
        done.wait()
        _ = close(client)
        _ = close(upstream)
    }

    private func connectUpstream() -> Int32 {
        let fd = socket(AF_INET, socketStream, 0)
        guard fd >= 0 else { return -1 }
        var address = loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            _ = close(fd)
            return -1
        }
        return fd
    }
}

#if os(Linux)
private let socketStream = Int32(SOCK_STREAM.rawValue)
private let noSignal = Int32(MSG_NOSIGNAL)
#else
private let socketStream = SOCK_STREAM
private let noSignal: Int32 = 0
#endif

private func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

/// Copies bytes until `from` ends, then ends the writing side of `to`.
private func pump(from: Int32, to: Int32) {
    var buffer = [UInt8](repeating: 0, count: 16_384)
    copying: while true {
        let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        var sent = 0
        while sent < n {
            let m = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, n - sent, noSignal) }
            if m <= 0 { break copying }
            sent += m
        }
    }
    _ = shutdown(to, Int32(SHUT_WR))
}
