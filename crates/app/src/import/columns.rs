//! The register's columns, recognised by their Chinese or English headers.

use serde::Serialize;

/// A column of the register, recognised by its Chinese or English header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Column {
    Name,
    DocumentKind,
    DocumentNumber,
    Sex,
    BirthDate,
    Phone,
    Grid,
    Building,
    Unit,
    Room,
    Hukou,
    Tenure,
    TravelStatus,
    TravelOrigin,
    ReturnedOn,
    Vulnerabilities,
    Notes,
}

impl Column {
    pub const REQUIRED: [Column; 5] = [
        Column::Name,
        Column::DocumentNumber,
        Column::Building,
        Column::Unit,
        Column::Room,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::DocumentKind => "document_kind",
            Column::DocumentNumber => "document_number",
            Column::Sex => "sex",
            Column::BirthDate => "birth_date",
            Column::Phone => "phone",
            Column::Grid => "grid",
            Column::Building => "building",
            Column::Unit => "unit",
            Column::Room => "room",
            Column::Hukou => "hukou",
            Column::Tenure => "tenure",
            Column::TravelStatus => "travel_status",
            Column::TravelOrigin => "travel_origin",
            Column::ReturnedOn => "returned_on",
            Column::Vulnerabilities => "vulnerabilities",
            Column::Notes => "notes",
        }
    }

    /// How many known columns a header row must name: a title, a date line or a note above the
    /// header names fewer.
    const HEADER_MIN_COLUMNS: usize = 3;

    /// Which cells of a row name a register's column, and whether the row is a register's
    /// header: it names at least three columns. The cells it names also tell a header's lower
    /// row (楼栋, 单元, 房号 under a merged 住址) from a data row.
    pub fn names_a_register(cells: &[String]) -> sheets::Recognised {
        sheets::Recognised::counting(
            cells,
            |c| Column::from_header(c).is_some(),
            Column::HEADER_MIN_COLUMNS,
        )
    }

    /// Recognises a header: spaces (full-width ones too), `*` marks of required columns and a
    /// trailing colon are ignored, full-width letters and digits read as their ASCII forms, and
    /// case does not matter.
    pub fn from_header(h: &str) -> Option<Column> {
        let h: String = h
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
            .map(|c| match c {
                // Full-width ASCII (Ｎａｍｅ, ＩＤ) is typed by Chinese input methods.
                '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                c => c,
            })
            .collect::<String>()
            .to_lowercase();
        let h = h.trim_end_matches([':', '：']);
        Some(match h {
            "姓名" | "name" | "名字" => Column::Name,
            "证件类型" | "document_kind" | "documenttype" | "document_type" => {
                Column::DocumentKind
            }
            "身份证号" | "身份证号码" | "身份证" | "身份证件号" | "证件号码" | "证件号"
            | "公民身份号码" | "document_number" | "id_number" | "idnumber" | "citizenid"
            | "citizen_id" => Column::DocumentNumber,
            "性别" | "sex" | "gender" => Column::Sex,
            "出生日期" | "birth_date" | "birthdate" | "dateofbirth" => Column::BirthDate,
            "联系电话" | "手机" | "手机号" | "手机号码" | "电话" | "联系方式" | "phone"
            | "mobile" => Column::Phone,
            "网格" | "所属网格" | "网格名称" | "网格号" | "grid" => Column::Grid,
            "楼栋" | "楼号" | "楼栋号" | "幢" | "栋" | "building" => Column::Building,
            "单元" | "单元号" | "unit" => Column::Unit,
            "房号" | "门牌号" | "房间号" | "户号" | "室" | "房间" | "room" => {
                Column::Room
            }
            "户籍" | "户籍类型" | "户口类型" | "人口类型" | "人员类型" | "hukou" => {
                Column::Hukou
            }
            "产权" | "居住类型" | "房屋性质" | "业主/租户" | "tenure" => {
                Column::Tenure
            }
            "出行登记" | "出行情况" | "去向" | "travel" | "travel_status" => {
                Column::TravelStatus
            }
            "来源地" | "返回来源地" | "从何地返回" | "origin" | "travel_origin" => {
                Column::TravelOrigin
            }
            "返回日期" | "返回时间" | "返乡时间" | "返乡日期" | "returned_on" | "return_date" => {
                Column::ReturnedOn
            }
            "重点人群" | "特殊人群" | "vulnerabilities" | "vulnerable" => {
                Column::Vulnerabilities
            }
            "备注" | "notes" | "note" => Column::Notes,
            _ => return None,
        })
    }

    pub(super) fn from_field(field: &str) -> Column {
        match field {
            "name" => Column::Name,
            "document_kind" => Column::DocumentKind,
            "sex" => Column::Sex,
            "birth_date" => Column::BirthDate,
            "phone" => Column::Phone,
            "hukou" => Column::Hukou,
            "tenure" => Column::Tenure,
            "travel_status" => Column::TravelStatus,
            "travel_origin" => Column::TravelOrigin,
            "returned_on" => Column::ReturnedOn,
            "vulnerabilities" => Column::Vulnerabilities,
            "notes" => Column::Notes,
            _ => Column::DocumentNumber,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn headers_are_read_as_registers_write_them() {
        assert_eq!(Column::from_header("＊姓 名："), Some(Column::Name));
        assert_eq!(
            Column::from_header("ＩＤ＿ＮＵＭＢＥＲ"),
            Some(Column::DocumentNumber)
        );
        assert_eq!(Column::from_header("手机"), Some(Column::Phone));
        assert_eq!(Column::from_header("幢"), Some(Column::Building));
        assert_eq!(Column::from_header("室"), Some(Column::Room));
        assert_eq!(Column::from_header("户口类型"), Some(Column::Hukou));
        assert_eq!(Column::from_header("返乡时间"), Some(Column::ReturnedOn));
        // A register headed 身份证 (without 号) names the number too.
        assert_eq!(Column::from_header("身份证"), Some(Column::DocumentNumber));
        assert_eq!(Column::from_header("XX社区居民信息登记表"), None);
    }

    #[test]
    fn a_header_row_names_three_columns_and_a_title_does_not() {
        let header = Column::names_a_register(&row(&["序号", "姓名", "身份证号", "楼栋"]));
        assert!(header.is_header);
        assert_eq!(header.known, [false, true, true, true]);
        let title = Column::names_a_register(&row(&["XX社区居民信息登记表（第三网格）"]));
        assert!(!title.is_header);
        assert!(!Column::names_a_register(&row(&["填表人：王芳", "电话"])).is_header);
    }
}
