//! Project tasks shared by the `xtask` binary and its tests.

pub mod bench_build;
pub mod spec_diff;
