//! `ResponseValue<T>`: a decoded success body with the response's status and headers.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::ops::Deref;

/// A decoded success response, with the status and headers it came with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseValue<T> {
    pub value: T,
    pub status: StatusCode,
    pub headers: HeaderMap,
}

impl<T> ResponseValue<T> {
    pub(crate) fn new(value: T, status: StatusCode, headers: HeaderMap) -> Self {
        Self {
            value,
            status,
            headers,
        }
    }

    /// The decoded body.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Body, status and headers.
    pub fn into_parts(self) -> (T, StatusCode, HeaderMap) {
        (self.value, self.status, self.headers)
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}
