//! What the person importing chooses after seeing the preview: how the file's columns are read,
//! and whether the buildings the file names are created.

use super::Column;

/// Choices made on the preview, applied when the file is previewed again or imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Header text → the column it is read as (`None`: ignored), over what the header says by
    /// itself; every column with that header follows it.
    pub mapping: Vec<(String, Option<Column>)>,
    /// The grid where buildings that the file names and the community lacks are created, in the
    /// same batches as their residents; without it such rows are refused as unknown buildings.
    pub create_buildings_in_grid: Option<i64>,
    /// The header's row as Excel numbers it, when the importer's own search finds another.
    pub header_row: Option<usize>,
}

impl Column {
    /// Every column, in the order a mapping form lists them.
    pub const ALL: [Column; 17] = [
        Column::Name,
        Column::DocumentKind,
        Column::DocumentNumber,
        Column::Sex,
        Column::BirthDate,
        Column::Phone,
        Column::Grid,
        Column::Building,
        Column::Unit,
        Column::Room,
        Column::Hukou,
        Column::Tenure,
        Column::TravelStatus,
        Column::TravelOrigin,
        Column::ReturnedOn,
        Column::Vulnerabilities,
        Column::Notes,
    ];

    /// The column whose code this is.
    pub fn from_code(code: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// Why a mapping could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    /// The mapping as written.
    pub given: String,
}

impl ImportOptions {
    /// The column each header is read as: the mapping where it names the header, otherwise the
    /// header's own words. A column already read from an earlier header is not read twice: the
    /// later header is ignored, so a blank cell there cannot overwrite a filled one.
    pub fn columns(&self, headers: &[String]) -> Vec<Option<Column>> {
        let mut taken = Vec::new();
        headers
            .iter()
            .map(|h| {
                let mapped = match self.mapping.iter().find(|(k, _)| k == h) {
                    Some((_, c)) => *c,
                    None => Column::from_header(h),
                };
                match mapped {
                    Some(c) if taken.contains(&c) => None,
                    Some(c) => {
                        taken.push(c);
                        Some(c)
                    }
                    None => None,
                }
            })
            .collect()
    }

    /// Reads one `header=field` mapping, as the command line and the API write it; an empty
    /// field (`备注2=`) or `ignore` means the column is not read.
    pub fn parse_mapping(given: &str) -> Result<(String, Option<Column>), MappingError> {
        let err = || MappingError {
            given: given.to_owned(),
        };
        let (header, field) = given.rsplit_once('=').ok_or_else(err)?;
        let header = header.trim();
        if header.is_empty() {
            return Err(err());
        }
        let field = field.trim();
        let column = match field {
            "" | "ignore" => None,
            f => Some(Column::from_code(f).ok_or_else(err)?),
        };
        Ok((header.to_owned(), column))
    }

    /// Reads a list of mappings separated by `;` (the API's one query parameter).
    pub fn parse_mappings(given: &str) -> Result<Vec<(String, Option<Column>)>, MappingError> {
        given
            .split(';')
            .filter(|m| !m.trim().is_empty())
            .map(ImportOptions::parse_mapping)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_mapping_reads_an_unknown_header_and_ignores_a_known_one() {
        let o = ImportOptions {
            mapping: vec![
                ("住户门牌".to_owned(), Some(Column::Room)),
                ("备注".to_owned(), None),
            ],
            create_buildings_in_grid: None,
            header_row: None,
        };
        let cols = o.columns(&headers(&["姓名", "住户门牌", "备注", "其他"]));
        assert_eq!(
            cols,
            vec![Some(Column::Name), Some(Column::Room), None, None]
        );
    }

    #[test]
    fn a_column_is_read_from_its_first_header_only() {
        let cols = ImportOptions::default().columns(&headers(&["手机", "姓名", "电话"]));
        assert_eq!(cols, vec![Some(Column::Phone), Some(Column::Name), None]);
    }

    #[test]
    fn mappings_are_parsed_with_their_errors() {
        assert_eq!(
            ImportOptions::parse_mapping("门牌=room"),
            Ok(("门牌".to_owned(), Some(Column::Room)))
        );
        assert_eq!(
            ImportOptions::parse_mapping("备注2="),
            Ok(("备注2".to_owned(), None))
        );
        assert!(ImportOptions::parse_mapping("门牌=rooms").is_err());
        assert!(ImportOptions::parse_mapping("=room").is_err());
        assert!(ImportOptions::parse_mapping("门牌").is_err());
        assert_eq!(
            ImportOptions::parse_mappings("a=name; b=ignore;").map(|m| m.len()),
            Ok(2)
        );
        for c in Column::ALL {
            assert_eq!(Column::from_code(c.code()), Some(c));
        }
    }
}
