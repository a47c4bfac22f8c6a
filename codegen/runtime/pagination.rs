//! `Paginator`: walks an offset/limit list page by page, or item by item, as a `Stream`.

use crate::error::Result;
use futures_util::future::BoxFuture;
use futures_util::stream::{self, Stream, TryStreamExt};
use std::sync::Arc;

type Fetch<P> = Arc<dyn Fn(i64) -> BoxFuture<'static, Result<P>> + Send + Sync>;

/// Pages through a list operation. Made by a list builder's `into_paginator()`.
///
/// Each request asks for the next offset (previous offset plus the items received). The walk
/// ends after an empty page, or after a page shorter than the requested `limit`; an error ends
/// it after being yielded.
pub struct Paginator<P, T> {
    fetch: Fetch<P>,
    len: fn(&P) -> usize,
    items: fn(P) -> Vec<T>,
    start: i64,
    limit: Option<i64>,
}

impl<P, T> std::fmt::Debug for Paginator<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("start", &self.start)
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

struct State<P> {
    fetch: Fetch<P>,
    len: fn(&P) -> usize,
    offset: i64,
    limit: Option<i64>,
    done: bool,
}

impl<P: Send + 'static, T: Send + 'static> Paginator<P, T> {
    #[doc(hidden)]
    pub fn new(
        start: i64,
        limit: Option<i64>,
        fetch: impl Fn(i64) -> BoxFuture<'static, Result<P>> + Send + Sync + 'static,
        len: fn(&P) -> usize,
        items: fn(P) -> Vec<T>,
    ) -> Self {
        Self {
            fetch: Arc::new(fetch),
            len,
            items,
            start,
            limit,
        }
    }

    /// Every non-empty page, in order.
    pub fn pages(self) -> impl Stream<Item = Result<P>> + Send + 'static {
        let state = State {
            fetch: self.fetch,
            len: self.len,
            offset: self.start,
            limit: self.limit,
            done: false,
        };
        stream::try_unfold(state, |mut state| async move {
            if state.done {
                return Ok(None);
            }
            let page = (state.fetch)(state.offset).await?;
            let count = (state.len)(&page);
            if count == 0 {
                return Ok(None);
            }
            let count = i64::try_from(count).unwrap_or(i64::MAX);
            state.offset = state.offset.saturating_add(count);
            state.done = state.limit.is_some_and(|limit| count < limit);
            Ok(Some((page, state)))
        })
    }

    /// Every item of every page, in order.
    pub fn items(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        let items = self.items;
        self.pages()
            .map_ok(move |page| stream::iter(items(page).into_iter().map(Ok)))
            .try_flatten()
    }

    /// Fetches every page and returns all items.
    pub async fn collect_items(self) -> Result<Vec<T>> {
        self.items().try_collect().await
    }

    /// Fetches every page and counts the items.
    pub async fn count_items(self) -> Result<usize> {
        let len = self.len;
        self.pages().try_fold(0usize, move |n, page| async move { Ok(n + len(&page)) }).await
    }
}
