//! Rules of signing in: where a browser may be sent after it, and how long a client waits after
//! failed attempts.

/// The path a browser may be sent to after signing in: `next` when it is a path of this site,
/// else `/`.
///
/// A same-site path has exactly one leading `/`, and neither the text as sent nor its
/// percent-decoded form holds a second leading slash, a backslash, or any control or whitespace
/// character (browsers drop tabs and newlines from URLs, so `/\t/evil.example/` would leave the
/// site; CR and LF cannot go in a `Location` header at all).
pub fn safe_next(next: &str) -> &str {
    if is_same_site_path(next) { next } else { "/" }
}

fn is_same_site_path(next: &str) -> bool {
    let Some(decoded) = percent_decode(next) else {
        return false;
    };
    [next.as_bytes(), decoded.as_slice()]
        .iter()
        .all(|text| plain_path(text))
}

fn plain_path(p: &[u8]) -> bool {
    p.first() == Some(&b'/')
        && p.get(1) != Some(&b'/')
        && !p.windows(2).any(|w| w == b"//")
        && !p
            .iter()
            .any(|&b| b == b'\\' || b.is_ascii_whitespace() || b.is_ascii_control())
        && std::str::from_utf8(p)
            .is_ok_and(|s| !s.chars().any(|c| c.is_whitespace() || c.is_control()))
}

/// The bytes of a percent-encoded text; `None` when an escape is malformed.
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// How long a (username, client) pair, or a client over all usernames, must wait after its
/// `failures`-th failed attempt in a row: nothing for the first `free` failures, then 30 seconds,
/// doubling with each further failure, never more than `cap_secs`.
pub fn login_delay_secs(failures: i64, free: i64, cap_secs: i64) -> i64 {
    if failures < free.max(1) {
        return 0;
    }
    let doublings = u32::try_from((failures - free.max(1)).min(20)).unwrap_or(20);
    30_i64
        .saturating_mul(1_i64 << doublings)
        .min(cap_secs.max(1))
}

/// Whole minutes to tell a user to wait: at least one, rounded up.
pub fn wait_minutes(secs: i64) -> i64 {
    ((secs.max(1) + 59) / 60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn local_paths_are_kept() {
        for p in [
            "/",
            "/residents",
            "/residents?q=%E5%BC%A0&page=2",
            "/communities/1/grids",
        ] {
            assert_eq!(safe_next(p), p, "{p}");
        }
    }

    #[test]
    fn the_reported_values_and_their_kin_go_home() {
        for p in [
            "/%09/evil.example/",
            "/\t/evil.example/",
            "/\r\nSet-Cookie: x=1",
            "/%0d%0aLocation:%20http://evil.example",
            "/%0A",
            "/\u{b}x",
            "/%0B/evil.example",
            "//evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "https://evil.example/",
            "evil.example",
            "",
            " /residents",
            "/a b",
            "/a%20b",
            "/%",
            "/%zz",
            "/\u{3000}x",
            "/\u{85}x",
            "/ok//double",
        ] {
            assert_eq!(safe_next(p), "/", "{p:?}");
        }
    }

    #[test]
    fn delays_start_after_the_free_failures_and_grow_to_the_cap() {
        let d: Vec<i64> = (0..=10).map(|n| login_delay_secs(n, 5, 900)).collect();
        assert_eq!(d, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900]);
        assert_eq!(login_delay_secs(i64::MAX, 5, 900), 900);
        assert_eq!(wait_minutes(30), 1);
        assert_eq!(wait_minutes(61), 2);
        assert_eq!(wait_minutes(0), 1);
    }

    proptest! {
        #[test]
        fn whatever_is_kept_is_a_plain_local_path(s in "\\PC*|/[ -~\t\r\n\u{b}%]{0,20}") {
            let kept = safe_next(&s);
            prop_assert!(kept == "/" || kept == s);
            let decoded = String::from_utf8_lossy(&percent_decode(kept).unwrap_or_default()).into_owned();
            for text in [kept, decoded.as_str()] {
                prop_assert!(text.starts_with('/'));
                prop_assert!(!text.starts_with("//"));
                prop_assert!(!text.contains('\\'));
                prop_assert!(!text.chars().any(|c| c.is_whitespace() || c.is_control()));
            }
        }

        #[test]
        fn delays_never_shrink(n in 0i64..100, free in 0i64..10, cap in 1i64..100_000) {
            prop_assert!(login_delay_secs(n + 1, free, cap) >= login_delay_secs(n, free, cap));
            prop_assert!(login_delay_secs(n, free, cap) <= cap);
        }
    }
}
