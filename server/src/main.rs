//! `lobby-server`: see `lobby_server::cli` and INTERFACE.md.

fn main() -> std::process::ExitCode {
    lobby_server::cli::main()
}
