//! Test-only package: the tests are the files next to this one. The README's usage example
//! is compiled as a doctest of this crate, so it cannot drift from the generated API.
#![doc = include_str!("../README.md")]
