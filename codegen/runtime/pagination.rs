//! `Paginator`: walks a paged list page by page, or item by item, as a `Stream`. Lists page by
//! offset (`offset`/`limit` query parameters) or by cursor (the answer names the next page).

use crate::error::{Error, Result};
use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use std::sync::Arc;

/// Where a page starts: an offset into the list, or the cursor a previous page gave.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    Offset(i64),
    /// `None` asks for the first page.
    Cursor(Option<String>),
}

/// What a cursor page says about the next one.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// Ask with this cursor.
    Cursor(String),
    /// This page is the last.
    End,
    /// The page says more follow but names no cursor to ask for them.
    Missing,
}

type Fetch<P> = Arc<dyn Fn(Position) -> BoxFuture<'static, Result<P>> + Send + Sync>;
/// The position of the page after this one, `Ok(None)` when this one is the last, or an error
/// when the page cannot be followed.
type Next<P> = Arc<dyn Fn(&P, &Position, usize) -> Result<Option<Position>> + Send + Sync>;

/// Pages through a list operation. Made by a list builder's `into_paginator()`.
///
/// Offset lists ask for the next offset (the previous one plus the items received) and end
/// after an empty page, one shorter than the requested `limit`, or before an offset the document
/// does not allow. Cursor lists ask for the cursor the previous page named and end when a page
/// names none (or says it has no more); a page that says more follow without naming a cursor is
/// yielded, then `Error::Paging`. An error ends the walk after being yielded.
pub struct Paginator<P, T> {
    fetch: Fetch<P>,
    next: Next<P>,
    len: fn(&P) -> usize,
    items: fn(P) -> Vec<T>,
    start: Position,
}

impl<P, T> std::fmt::Debug for Paginator<P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

struct State<P> {
    fetch: Fetch<P>,
    next: Next<P>,
    len: fn(&P) -> usize,
    position: Option<Position>,
    failed: Option<crate::error::Error>,
}

impl<P: Send + 'static, T: Send + 'static> Paginator<P, T> {
    /// An offset walk from `start`, `limit` items per page when the caller set one, never
    /// asking for an offset past `max_offset`. With `more` (a page's "more follow" flag) the flag
    /// decides whether to go on, not the page's length.
    #[doc(hidden)]
    pub fn new(
        start: i64,
        limit: Option<i64>,
        max_offset: Option<i64>,
        more: Option<fn(&P) -> bool>,
        fetch: impl Fn(i64) -> BoxFuture<'static, Result<P>> + Send + Sync + 'static,
        len: fn(&P) -> usize,
        items: fn(P) -> Vec<T>,
    ) -> Self {
        Self {
            fetch: Arc::new(move |position| match position {
                Position::Offset(offset) => fetch(offset),
                Position::Cursor(_) => fetch(0),
            }),
            next: Arc::new(move |page, position, count| {
                let Position::Offset(offset) = position else {
                    return Ok(None);
                };
                let count = i64::try_from(count).unwrap_or(i64::MAX);
                let short = match more {
                    Some(more) => !more(page),
                    None => limit.is_some_and(|limit| count < limit),
                };
                let next = offset.saturating_add(count);
                let past_the_end = max_offset.is_some_and(|max| next > max);
                Ok((count > 0 && !short && !past_the_end).then_some(Position::Offset(next)))
            }),
            len,
            items,
            start: Position::Offset(start),
        }
    }

    /// A cursor walk from `start` (`None`: the first page). `next` reads from a page what
    /// follows it.
    #[doc(hidden)]
    pub fn with_cursor(
        start: Option<String>,
        fetch: impl Fn(Option<String>) -> BoxFuture<'static, Result<P>> + Send + Sync + 'static,
        next: impl Fn(&P) -> NextPage + Send + Sync + 'static,
        len: fn(&P) -> usize,
        items: fn(P) -> Vec<T>,
    ) -> Self {
        Self {
            fetch: Arc::new(move |position| match position {
                Position::Cursor(cursor) => fetch(cursor),
                Position::Offset(_) => fetch(None),
            }),
            next: Arc::new(move |page, position, _| {
                let cursor = match next(page) {
                    NextPage::Cursor(cursor) if !cursor.is_empty() => cursor,
                    NextPage::Cursor(_) | NextPage::End => return Ok(None),
                    NextPage::Missing => {
                        return Err(Error::Paging(
                            "the page says more items follow but gives no cursor to ask for them"
                                .to_owned(),
                        ));
                    }
                };
                // A server that names the page it just gave would loop forever.
                let same =
                    matches!(position, Position::Cursor(Some(current)) if *current == cursor);
                Ok((!same).then_some(Position::Cursor(Some(cursor))))
            }),
            len,
            items,
            start: Position::Cursor(start),
        }
    }

    /// Every non-empty page, in order (a boxed stream: `while let Some(page) =
    /// pages.try_next().await?` works without pinning).
    pub fn pages(self) -> BoxStream<'static, Result<P>> {
        let state = State {
            fetch: self.fetch,
            next: self.next,
            len: self.len,
            position: Some(self.start),
            failed: None,
        };
        let pages = stream::try_unfold(state, |mut state| async move {
            if let Some(error) = state.failed.take() {
                return Err(error);
            }
            let Some(position) = state.position.take() else {
                return Ok(None);
            };
            let page = (state.fetch)(position.clone()).await?;
            let count = (state.len)(&page);
            // A page that cannot be followed is still yielded; the error comes after it.
            match (state.next)(&page, &position, count) {
                Ok(next) => state.position = next,
                Err(error) => state.failed = Some(error),
            }
            Ok(Some((page, state)))
        });
        let len = self.len;
        pages
            .try_filter(move |page| std::future::ready(len(page) > 0))
            .boxed()
    }

    /// Every item of every page, in order (boxed, like [`pages`](Self::pages)).
    pub fn items(self) -> BoxStream<'static, Result<T>> {
        let items = self.items;
        self.pages()
            .map_ok(move |page| stream::iter(items(page).into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    /// Fetches every page and returns all items.
    pub async fn collect_items(self) -> Result<Vec<T>> {
        self.items().try_collect().await
    }

    /// Fetches every page and counts the items.
    pub async fn count_items(self) -> Result<usize> {
        let len = self.len;
        self.pages()
            .try_fold(0usize, move |n, page| async move { Ok(n + len(&page)) })
            .await
    }
}
