import Foundation

/// Onboarding by QR (DESIGN.md §2.1) and signing in and out (§2.2): `lobby.auth`.
///
/// Network calls, all `async`. A QR payload, phone number or password is checked on the
/// phone first, so bad input fails offline with the server's own codes.
public final class LobbyAuth: Sendable {
    /// The generated API underneath.
    public let ffi: AuthClient

    init(_ ffi: AuthClient) {
        self.ffi = ffi
    }

    public func scanOnboarding(_ payload: String) async throws -> OnboardingInfo {
        try await ffi.scanOnboarding(payload: payload)
    }

    public func scanOnboarding(image: Data) async throws -> OnboardingInfo {
        try await ffi.scanOnboardingImage(image: image)
    }

    /// `consents` answers the documents the scan listed (`OnboardingInfo.policies`),
    /// recorded with the account; empty: asked after the first sync.
    public func startOnboarding(
        _ payload: String, phone: String, password: String, email: String? = nil, name: String? = nil,
        consents: [OnboardingConsent] = []
    ) async throws -> OtpChallenge {
        try await ffi.startOnboarding(
            payload: payload, phone: phone, password: password, email: email, name: name, consents: consents)
    }

    public func verifyOnboarding(code: String) async throws -> SignedIn {
        try await ffi.verifyOnboarding(code: code)
    }

    /// Adds another unit's QR to the signed-in account.
    public func claimOnboarding(_ payload: String) async throws -> SignedIn {
        try await ffi.claimOnboarding(payload: payload)
    }

    public func loginOTP(to destination: String) async throws -> OtpChallenge {
        try await ffi.loginOtp(to: destination)
    }

    /// Checks the login code; also finishes `LobbyInvites.accept`.
    public func verifyLogin(code: String) async throws -> SignedIn {
        try await ffi.verifyLogin(code: code)
    }

    public func loginPassword(_ destination: String, password: String) async throws -> SignedIn {
        try await ffi.loginPassword(to: destination, password: password)
    }

    /// Returns whether the server confirmed; the phone's tokens are gone either way.
    @discardableResult
    public func logout(everywhere: Bool = false) async throws -> Bool {
        try await ffi.logout(everywhere: everywhere)
    }

    /// The person's signed-in devices, the most recently seen first, this one marked
    /// `current`; `device` nil is an unknown device. Needs the network.
    public func sessions() async throws -> [SessionInfo] {
        try await ffi.sessions()
    }

    /// "Someone else used my account": ends every sign-in and reports the misuse to the
    /// juristic office (due in 72 hours), then signs this phone out like `logout`. Online
    /// only: throws `.offline` and keeps the session when the server could not be reached.
    public func reportMisuse(detail: String? = nil) async throws -> MisuseReport {
        try await ffi.reportMisuse(detail: detail)
    }

    public var isSignedIn: Bool { ffi.isSignedIn() }
}

extension OnboardingInfo {
    /// Answers to the documents this scan listed (`policies`), for
    /// `startOnboarding(_:phone:password:consents:)`: the `agreed` kinds agreed, every other
    /// one listed refused, each in the version the preview showed — e.g.
    /// `scanned.consents(agreeingTo: .terms, .privacy)` (Kotlin: `agreeTo`).
    public func consents(agreeingTo agreed: ConsentKind...) -> [OnboardingConsent] {
        policies.map { OnboardingConsent(kind: $0.kind, version: $0.version, given: agreed.contains($0.kind)) }
    }
}
