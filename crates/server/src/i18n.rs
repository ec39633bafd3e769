//! The two languages of every page: Simplified Chinese and English, from key = value files.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "zh-Hans" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the GB/T 2260 divisions are named in on a page of this language.
    pub fn regions(self) -> domain::region::Language {
        match self {
            Lang::Zh => domain::region::Language::Chinese,
            Lang::En => domain::region::Language::English,
        }
    }

    /// The first language of an Accept-Language header that we speak.
    pub fn from_accept(header: &str) -> Option<Lang> {
        header
            .split(',')
            .map(|p| p.split(';').next().unwrap_or("").trim())
            .find_map(|tag| {
                let primary = tag.split('-').next().unwrap_or("");
                Lang::from_code(primary)
            })
    }
}

// One file per area of the application, so each area's strings stay together.
const ZH: &[&str] = &[
    include_str!("../i18n/zh.txt"),
    include_str!("../i18n/zh.checks.txt"),
    include_str!("../i18n/zh.screening.txt"),
    include_str!("../i18n/zh.tasks.txt"),
    include_str!("../i18n/zh.auth.txt"),
    include_str!("../i18n/zh.imports.txt"),
    include_str!("../i18n/zh.api.txt"),
    include_str!("../i18n/zh.system.txt"),
    include_str!("../i18n/zh.calls.txt"),
    include_str!("../i18n/zh.gates.txt"),
    include_str!("../i18n/zh.gate_scan.txt"),
    include_str!("../i18n/zh.cases.txt"),
    include_str!("../i18n/zh.returns.txt"),
    include_str!("../i18n/zh.hotline.txt"),
    include_str!("../i18n/zh.complaints.txt"),
    include_str!("../i18n/zh.quarantine.txt"),
    include_str!("../i18n/zh.home.txt"),
    include_str!("../i18n/zh.notify.txt"),
    include_str!("../i18n/zh.audit.txt"),
];
const EN: &[&str] = &[
    include_str!("../i18n/en.txt"),
    include_str!("../i18n/en.checks.txt"),
    include_str!("../i18n/en.screening.txt"),
    include_str!("../i18n/en.tasks.txt"),
    include_str!("../i18n/en.auth.txt"),
    include_str!("../i18n/en.imports.txt"),
    include_str!("../i18n/en.api.txt"),
    include_str!("../i18n/en.system.txt"),
    include_str!("../i18n/en.calls.txt"),
    include_str!("../i18n/en.gates.txt"),
    include_str!("../i18n/en.gate_scan.txt"),
    include_str!("../i18n/en.cases.txt"),
    include_str!("../i18n/en.returns.txt"),
    include_str!("../i18n/en.hotline.txt"),
    include_str!("../i18n/en.complaints.txt"),
    include_str!("../i18n/en.quarantine.txt"),
    include_str!("../i18n/en.home.txt"),
    include_str!("../i18n/en.notify.txt"),
    include_str!("../i18n/en.audit.txt"),
];

fn parse(files: &[&'static str]) -> HashMap<&'static str, &'static str> {
    files
        .iter()
        .flat_map(|src| src.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ZH_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN_T: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Zh => ZH_T.get_or_init(|| parse(ZH)),
        Lang::En => EN_T.get_or_init(|| parse(EN)),
    }
}

/// Translations for one language, handed to every template.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The string for `key`; the key itself when missing (a test keeps the files complete).
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        table(self.lang).get(key).copied().unwrap_or(key)
    }

    /// A prefixed key such as `role.grid_worker`.
    pub fn of(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}.{code}");
        match table(self.lang).get(key.as_str()) {
            Some(v) => (*v).to_owned(),
            None => code.to_owned(),
        }
    }

    /// The message of an error code, with `{detail}` filled in. A missing column is named as
    /// the register's header names it (身份证号), not by its code.
    pub fn error(&self, code: impl AsRef<str>, detail: &str) -> String {
        let detail = match code.as_ref() {
            "missing_column" => self.of("column", detail),
            _ => detail.to_owned(),
        };
        self.of("error", code.as_ref()).replace("{detail}", &detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = table(Lang::Zh);
        let en = table(Lang::En);
        let mut missing: Vec<String> = zh
            .keys()
            .filter(|k| !en.contains_key(*k))
            .map(|k| format!("en lacks {k}"))
            .collect();
        missing.extend(
            en.keys()
                .filter(|k| !zh.contains_key(*k))
                .map(|k| format!("zh lacks {k}")),
        );
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn every_template_key_is_translated() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let en = table(Lang::En);
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for part in text.split("t.get(\"").skip(1) {
                let key = part.split('"').next().unwrap_or("");
                if !en.contains_key(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_missing_column_is_named_as_a_register_heads_it() {
        let zh = Tr::new(Lang::Zh).error("missing_column", "document_number");
        assert!(zh.contains("身份证号"), "{zh}");
        assert!(!zh.contains("document_number"), "{zh}");
    }

    #[test]
    fn accept_language_picks_a_spoken_language() {
        assert_eq!(Lang::from_accept("fr-FR, en;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept("zh-CN,zh;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept("de"), None);
    }
}
