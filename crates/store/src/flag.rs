//! Yes-or-no columns are integers, 0 or 1, in both dialects; row structs read them as `bool`
//! with `#[sqlx(try_from = "Flag")]`.

use sqlx::Decode;
use sqlx::any::{Any, AnyValueRef};
use sqlx::error::BoxDynError;

/// A stored 0 or 1 on its way to a `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(bool);

crate::rows::stored_as!(Flag, i64);

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Flag(<i64 as Decode<'r, Any>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}
