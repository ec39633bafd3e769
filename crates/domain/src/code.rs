//! States, kinds and methods are enums in the program and stable snake_case codes in the
//! database, the API and the audit trail. Each such enum has `code()` and `from_code()`;
//! [`stored_as_code!`](crate::stored_as_code) adds the conversion the store decodes rows with,
//! so that a code the program does not know is an error where the row is read, never a string
//! carried further.

/// A code read from storage that names no value of the enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCode {
    /// The enum's name.
    pub kind: &'static str,
    /// What was read.
    pub code: String,
}

impl std::fmt::Display for UnknownCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} code {:?}", self.kind, self.code)
    }
}

impl std::error::Error for UnknownCode {}

/// Implements `TryFrom<String>` through the enum's own `from_code`, for
/// `#[sqlx(try_from = "String")]` on the store's row fields.
#[macro_export]
macro_rules! stored_as_code {
    ($($t:ident),+ $(,)?) => {
        $(
            impl ::core::convert::TryFrom<::std::string::String> for $t {
                type Error = $crate::code::UnknownCode;
                fn try_from(code: ::std::string::String) -> ::core::result::Result<Self, Self::Error> {
                    $t::from_code(&code).ok_or($crate::code::UnknownCode {
                        kind: stringify!($t),
                        code,
                    })
                }
            }
        )+
    };
}

/// Gives an enum of stored codes its `ALL`, `code()`, `from_code()` and the
/// [`stored_as_code!`](crate::stored_as_code) conversion from one table of variants and codes,
/// so a code is written once and the three always agree. `ALL` follows the table's order.
#[macro_export]
macro_rules! coded {
    ($t:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $t {
            /// Every value, in the order lists show them.
            pub const ALL: [$t; [$($code),+].len()] = [$($t::$variant),+];

            /// The stable code stored, sent and audited.
            pub fn code(self) -> &'static str {
                match self {
                    $($t::$variant => $code,)+
                }
            }

            /// The value a code names; `None` for a code of no value.
            pub fn from_code(code: &str) -> Option<$t> {
                match code {
                    $($code => Some($t::$variant),)+
                    _ => None,
                }
            }
        }

        $crate::stored_as_code!($t);
    };
}

#[cfg(test)]
mod tests {
    use crate::quarantine::State;

    #[test]
    fn codes_decode_and_unknown_ones_are_named() {
        assert_eq!(State::try_from("active".to_owned()), Ok(State::Active));
        let unknown = State::try_from("paused".to_owned());
        assert_eq!(
            unknown.map_err(|e| e.to_string()),
            Err("unknown State code \"paused\"".to_owned())
        );
    }
}
