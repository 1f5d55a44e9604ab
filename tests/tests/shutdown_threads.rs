//! `Lobby::close` and dropping the last `Lobby` join every thread of the core's runtime.
//! One test in its own binary: it counts the process's threads, so nothing else may run
//! beside it.

use lobby_e2e::{Phone, TestServer};

/// Threads of this process named `lobby-core` (the core's runtime names its threads so).
fn core_threads() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm"))
                .map(|c| c.trim() == "lobby-core")
                .unwrap_or(false)
        })
        .count()
}

#[test]
fn close_and_drop_join_every_thread_of_the_core() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut server = rt.block_on(TestServer::start());

    // close, from a plain thread.
    let phone = Phone::new(&server.url);
    phone.lobby.start_background_sync().unwrap();
    assert!(core_threads() > 0, "the core runs threads");
    phone.lobby.close();
    assert_eq!(core_threads(), 0, "a thread of the core outlived close");
    drop(phone);

    // close, from inside an async context (it joins on a helper thread).
    let phone = Phone::new(&server.url);
    rt.block_on(async { phone.lobby.close() });
    assert_eq!(
        core_threads(),
        0,
        "a thread outlived close in an async context"
    );
    drop(phone);

    // No close: the last reference dropped on a plain thread.
    std::thread::spawn({
        let url = server.url.clone();
        move || {
            let phone = Phone::new(&url);
            phone.lobby.start_background_sync().unwrap();
            drop(phone);
        }
    })
    .join()
    .unwrap();
    assert_eq!(core_threads(), 0, "a thread outlived the drop");

    rt.block_on(server.stop());
}
