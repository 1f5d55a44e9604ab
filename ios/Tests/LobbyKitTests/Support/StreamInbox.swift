import Foundation

/// A stream read in the background into a queue, as the Kotlin tests collect a Flow into
/// an unlimited Channel and take values with `withTimeout(10_000) { seen.receive() }`:
/// `next()` waits for the next value at most `seconds`, so a stream that stops yielding
/// fails the test instead of hanging it. `cancel()` ends the reading (and with it the
/// core subscription); so does releasing the inbox.
final class StreamInbox<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Element] = []
    private var ended = false
    private var task: Task<Void, Never>?

    init(_ stream: AsyncStream<Element>) {
        task = Task { [weak self] in
            for await value in stream {
                guard let self else { return }
                self.withLock { self.values.append(value) }
            }
            guard let self else { return }
            self.withLock { self.ended = true }
        }
    }

    deinit { task?.cancel() }

    /// The next value, waiting at most `seconds`; throws when none comes or the stream ended.
    func next(within seconds: Double = 10, file: StaticString = #filePath, line: UInt = #line) async throws
        -> Element
    {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let (value, done): (Element?, Bool) = withLock {
                values.isEmpty ? (nil, ended) : (values.removeFirst(), false)
            }
            if let value { return value }
            if done { throw TestFailure("the stream ended (\(file):\(line))") }
            if Date() > deadline {
                throw TestFailure("no value from the stream within \(seconds) s (\(file):\(line))")
            }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    func cancel() { task?.cancel() }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
