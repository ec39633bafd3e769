//! Keyset paging: lists continue after the last key seen, never by OFFSET over everything.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// Continue after this id (exclusive); `None` starts at the beginning.
    pub after: Option<i64>,
    pub limit: u32,
}

impl PageRequest {
    pub fn new(after: Option<i64>, limit: Option<u32>) -> PageRequest {
        PageRequest {
            after,
            limit: limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
        }
    }

    pub fn first() -> PageRequest {
        PageRequest::new(None, None)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The key to pass as `after` for the next page, when there is one.
    pub next: Option<i64>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says that more exist.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> i64) -> Page<T> {
        let limit = limit as usize;
        let next = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&key)
        } else {
            None
        };
        Page { items: rows, next }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfetch_sets_next_only_when_more_rows_exist() {
        let p = Page::from_overfetch(vec![1, 2, 3], 2, |x| *x);
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next, Some(2));
        let p = Page::from_overfetch(vec![1, 2], 2, |x| *x);
        assert_eq!(p.next, None);
    }

    #[test]
    fn limit_is_clamped() {
        assert_eq!(PageRequest::new(None, Some(0)).limit, 1);
        assert_eq!(PageRequest::new(None, Some(10_000)).limit, MAX_PAGE_SIZE);
    }
}
