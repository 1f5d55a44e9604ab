import Foundation

/// The person's units across projects and the current unit (the app's drop-down):
/// `lobby.units`. Read from the replica, so they answer offline.
public final class LobbyUnits: Sendable {
    /// The generated API underneath.
    public let ffi: UnitsClient

    init(_ ffi: UnitsClient) {
        self.ffi = ffi
    }

    public func list() throws -> [UnitSummary] { try ffi.list() }

    /// The unit the app is showing; the first unit when none was chosen.
    public func current() throws -> UnitSummary? { try ffi.current() }

    /// Throws `notFound` when the person is not a member of `unitId`.
    @discardableResult
    public func setCurrent(_ unitId: String) throws -> UnitSummary { try ffi.setCurrent(unitId: unitId) }
}
