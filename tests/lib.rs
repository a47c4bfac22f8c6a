//! Test-only package: the tests are in the files next to this one.
