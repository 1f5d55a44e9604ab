#if canImport(Security)
import Foundation
import Security

/// The core's secret store on iOS: generic-password items in the Keychain, readable only
/// on this device after its first unlock. Pass one to `Lobby(dataDirectory:serverURL:secrets:)`.
public final class KeychainSecretStore: SecretStore, @unchecked Sendable {
    private let service: String

    public init(service: String = "th.co.lobby.secrets") {
        self.service = service
    }

    public func get(key: String) throws -> String? {
        var query = baseQuery(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let data = item as? Data else { throw failure("read", status) }
        return String(decoding: data, as: UTF8.self)
    }

    public func set(key: String, value: String) throws {
        let data = Data(value.utf8)
        let update = SecItemUpdate(baseQuery(key) as CFDictionary, [kSecValueData as String: data] as CFDictionary)
        if update == errSecSuccess { return }
        guard update == errSecItemNotFound else { throw failure("update", update) }
        var add = baseQuery(key)
        add[kSecValueData as String] = data
        add[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(add as CFDictionary, nil)
        guard status == errSecSuccess else { throw failure("add", status) }
    }

    public func delete(key: String) throws {
        let status = SecItemDelete(baseQuery(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw failure("delete", status) }
    }

    private func baseQuery(_ key: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
        ]
    }

    /// Names the operation and the OSStatus only: never a key's value.
    private func failure(_ operation: String, _ status: OSStatus) -> LobbyError {
        .Failed(code: .storage, reason: "Keychain \(operation) failed: OSStatus \(status)")
    }
}
#endif
