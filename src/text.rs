//! Aligning columns of terminal tables that mix Latin and Chinese text.

/// Columns a character takes in a terminal: 2 for CJK and full-width forms, else 1.
fn char_width(c: char) -> usize {
    match u32::from(c) {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// `s` followed by spaces up to `columns` terminal columns (never cut).
pub fn pad(s: &str, columns: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(s))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_takes_two_columns() {
        assert_eq!(width("网格员"), 6);
        assert_eq!(width("admin"), 5);
        assert_eq!(pad("网格员", 8), "网格员  ");
        assert_eq!(pad("toolongvalue", 4), "toolongvalue");
    }
}
