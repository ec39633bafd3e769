//! Field-level validation errors, collected so a form shows every problem at once.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form or API field, e.g. `document_number`.
    pub field: String,
    /// A stable snake_case code that the server translates, e.g. `citizen_id_check_digit`.
    pub code: String,
    /// Extra detail shown with the translated message (a value, a limit), possibly empty.
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    pub fn single(field: &str, code: &str) -> FieldErrors {
        let mut e = FieldErrors::new();
        e.add(field, code, "");
        e
    }

    pub fn add(&mut self, field: &str, code: &str, detail: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            detail: detail.into(),
        });
    }

    /// Runs a parser and records its error under `field`, returning the value when it parsed.
    pub fn check<T, E: Coded>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.code(), e.detail());
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// An error with a stable code, as every domain parse error has.
pub trait Coded {
    fn code(&self) -> &'static str;
    fn detail(&self) -> String {
        String::new()
    }
}

/// The language-neutral detail of a citizen ID error, filled into the translated message. The
/// expected check character is never given: it would invite "fixing" a mistyped number by
/// changing its last character.
fn citizen_id_detail(e: &crate::citizen_id::CitizenIdError) -> String {
    use crate::citizen_id::CitizenIdError as E;
    match e {
        E::Length { found } => found.to_string(),
        E::Character { position } => position.to_string(),
        E::Region { code } => code.clone(),
        E::Sequence { value } => value.to_string(),
        E::Empty | E::BirthDate | E::CheckDigit { .. } => String::new(),
    }
}

impl Coded for crate::citizen_id::CitizenIdError {
    fn code(&self) -> &'static str {
        crate::citizen_id::CitizenIdError::code(self)
    }
    fn detail(&self) -> String {
        citizen_id_detail(self)
    }
}

impl Coded for crate::document::DocumentError {
    fn code(&self) -> &'static str {
        crate::document::DocumentError::code(self)
    }
    fn detail(&self) -> String {
        match self {
            crate::document::DocumentError::CitizenId(e) => citizen_id_detail(e),
            _ => String::new(),
        }
    }
}

impl Coded for crate::phone::PhoneError {
    fn code(&self) -> &'static str {
        crate::phone::PhoneError::code(*self)
    }
}
