//! Reading rows: one reader for every row struct, and the column types that turn stored
//! values into the program's.

use sqlx::any::{Any, AnyRow, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, FromRow};

use crate::Result;

/// A row struct read by column name (`#[derive(FromRow)]`), or a tuple read by position.
pub(crate) trait Readable: for<'r> FromRow<'r, AnyRow> {}

impl<T: for<'r> FromRow<'r, AnyRow>> Readable for T {}

/// Reads a row into its struct: the row reader of every table.
pub(crate) fn read<T: Readable>(r: &AnyRow) -> Result<T> {
    Ok(T::from_row(r)?)
}

/// Declares a column type that is read as the stored type `$stored` (`i64`, `String`), the type
/// the database knows it by.
macro_rules! stored_as {
    ($t:ty, $stored:ty $(, for <$g:ident>)?) => {
        impl$(<$g>)? ::sqlx::Type<::sqlx::any::Any> for $t {
            fn type_info() -> ::sqlx::any::AnyTypeInfo {
                <$stored as ::sqlx::Type<::sqlx::any::Any>>::type_info()
            }

            fn compatible(ty: &::sqlx::any::AnyTypeInfo) -> bool {
                <$stored as ::sqlx::Type<::sqlx::any::Any>>::compatible(ty)
            }
        }
    };
}
pub(crate) use stored_as;

/// A code column that may be NULL, on its way to an `Option` of its enum:
/// `#[sqlx(try_from = "NullableCode<Enum>")]`. (No crate but `core` may implement a conversion
/// from `String` into `Option<Enum>`; it may from a type of its own.)
pub(crate) struct NullableCode<T>(Option<T>);

stored_as!(NullableCode<T>, String, for <T>);

impl<'r, T> Decode<'r, Any> for NullableCode<T>
where
    T: TryFrom<String>,
    T::Error: std::error::Error + Send + Sync + 'static,
{
    fn decode(value: AnyValueRef<'r>) -> std::result::Result<Self, BoxDynError> {
        let code = <Option<String> as Decode<'r, Any>>::decode(value)?;
        Ok(NullableCode(code.map(T::try_from).transpose()?))
    }
}

impl<T> From<NullableCode<T>> for Option<T> {
    fn from(c: NullableCode<T>) -> Option<T> {
        c.0
    }
}
