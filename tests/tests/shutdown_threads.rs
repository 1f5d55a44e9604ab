//! `Lobby::close` and dropping the last `Lobby` join every thread of the core's runtime.
//! One test in its own binary: it counts the process's threads, so nothing else may run
//! beside it.

use lobby_e2e::{Phone, TestServer};

/// Threads of this process named `lobby-core` (the core's runtime names its threads so).
/// A thread that was just joined can stay listed in /proc for a moment while the kernel
/// releases it, so [`no_core_threads_left`] allows a short grace.
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

fn no_core_threads_left() -> bool {
    for _ in 0..200 {
        if core_threads() == 0 {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    false
}

#[test]
fn close_and_drop_join_every_thread_of_the_core() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut server = rt.block_on(TestServer::start());

    // close, from a plain thread.
    let phone = Phone::new(&server.url);
    phone.lobby.start_background_sync().unwrap();
    // A new thread names itself as it starts: wait for the names to appear.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while core_threads() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(core_threads() > 0, "the core runs threads");
    phone.lobby.close();
    assert!(
        no_core_threads_left(),
        "a thread of the core outlived close"
    );
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
    assert!(no_core_threads_left(), "a thread outlived the drop");

    rt.block_on(server.stop());
}
