//! The CPU kernels' work split: over rayon's pool natively and in the threaded CPU module (the
//! `threads` feature), else on the one thread of the browser's module.

/// `f(i, chunk)` for each `len`-long chunk of `data` (the last may be shorter), on rayon's
/// pool where `parallel` (natively).
pub fn for_each_chunk(data: &mut [f32], len: usize, parallel: bool, f: impl Fn(usize, &mut [f32]) + Sync + Send) {
    if len == 0 {
        return;
    }
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    if parallel {
        use rayon::prelude::*;
        data.par_chunks_mut(len).enumerate().for_each(|(i, chunk)| f(i, chunk));
        return;
    }
    let _ = parallel;
    data.chunks_mut(len).enumerate().for_each(|(i, chunk)| f(i, chunk));
}

/// `f(i)` for `i` in `0..count`, collected in order, on rayon's pool where there is one.
pub fn map_indices<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    #[cfg(any(not(target_family = "wasm"), feature = "threads"))]
    {
        use rayon::prelude::*;
        (0..count).into_par_iter().map(f).collect()
    }
    #[cfg(not(any(not(target_family = "wasm"), feature = "threads")))]
    (0..count).map(f).collect()
}
