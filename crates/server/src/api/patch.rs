//! Partial updates: a `PATCH` body changes only the fields it carries.
//!
//! A field of type `Option<Option<T>>` with `#[serde(default, deserialize_with =
//! "double_option")]` tells the three cases apart: absent (`None`, unchanged), `null`
//! (`Some(None)`, cleared) and a value (`Some(Some(v))`).

use serde::{Deserialize, Deserializer};

/// Deserialises a present field, `null` included, as `Some`; serde's `default` makes an absent
/// one `None`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "double_option")]
        id: Option<Option<i64>>,
    }

    #[test]
    fn absent_null_and_value_are_three_cases() {
        let parse = |s: &str| serde_json::from_str::<Body>(s).expect("body").id;
        assert_eq!(parse("{}"), None);
        assert_eq!(parse(r#"{"id": null}"#), Some(None));
        assert_eq!(parse(r#"{"id": 7}"#), Some(Some(7)));
    }
}
