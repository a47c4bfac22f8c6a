//! Project tasks shared by the `xtask` binary and its tests.

pub mod spec_diff;
pub mod bench_build;
