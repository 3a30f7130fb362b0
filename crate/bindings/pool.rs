//! The threaded CPU module's rayon pool: one Web Worker per thread, started by the page
//! (`www/lib/pool.js`). Each worker instantiates this module on the shared memory, then waits
//! here for the thread rayon's build hands it and runs it for as long as the page lives.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, OnceLock};

use rayon::ThreadBuilder;
use wasm_bindgen::prelude::*;

use super::err;

/// rayon's threads on their way from the pool's build to the workers waiting for them.
type Handoff = (Mutex<Sender<ThreadBuilder>>, Mutex<Receiver<ThreadBuilder>>);
static HANDOFF: OnceLock<Handoff> = OnceLock::new();

fn handoff() -> &'static Handoff {
    HANDOFF.get_or_init(|| {
        let (sender, receiver) = channel();
        (Mutex::new(sender), Mutex::new(receiver))
    })
}

/// `[module, memory]`: what each pool worker instantiates, this module on its shared memory.
#[wasm_bindgen(js_name = poolShare)]
pub fn pool_share() -> js_sys::Array {
    [wasm_bindgen::module(), wasm_bindgen::memory()].into_iter().collect()
}

/// Makes the calling pool worker one of rayon's threads: waits for the thread `buildThreadPool`
/// hands it, then runs it (it returns only if the pool is never built).
#[wasm_bindgen(js_name = runPoolThread)]
pub fn run_pool_thread() {
    // The lock is let go as soon as a thread is received: the next worker waits for its own.
    let thread = handoff().1.lock().map_err(|e| e.to_string()).and_then(|r| r.recv().map_err(|e| e.to_string()));
    if let Ok(thread) = thread {
        thread.run();
    }
}

/// Builds rayon's global pool on `threads` threads, one for each worker already waiting in
/// `runPoolThread`. Once per module.
#[wasm_bindgen(js_name = buildThreadPool)]
pub fn build_thread_pool(threads: usize) -> Result<(), JsValue> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .spawn_handler(|thread| {
            let sender = handoff().0.lock().map_err(|e| std::io::Error::other(e.to_string()))?;
            sender.send(thread).map_err(|e| std::io::Error::other(e.to_string()))
        })
        .build_global()
        .map_err(|e| err(format!("the thread pool could not start: {e}")))
}
