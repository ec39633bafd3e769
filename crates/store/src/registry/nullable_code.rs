//! Decoding of a code column that may be NULL into `Option` of its enum.
//!
//! `#[sqlx(try_from = "String")]` needs `TryFrom<String>` on the field's type, and no crate but
//! `core` may implement a trait for `Option<Enum>` from `String`; it may from a type of its own.

use domain::citizen_id::Sex;
use domain::code::UnknownCode;
use sqlx::any::{Any, AnyTypeInfo};
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

/// A nullable text column, read only to become `Option` of an enum.
pub(crate) struct NullableCode(Option<String>);

impl Type<Any> for NullableCode {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for NullableCode {
    fn decode(value: <Any as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(NullableCode(<Option<String> as Decode<'r, Any>>::decode(
            value,
        )?))
    }
}

impl TryFrom<NullableCode> for Option<Sex> {
    type Error = UnknownCode;

    fn try_from(code: NullableCode) -> Result<Self, Self::Error> {
        code.0.map(Sex::try_from).transpose()
    }
}
