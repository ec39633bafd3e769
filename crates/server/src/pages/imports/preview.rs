//! The preview of an upload: the header found, how each column is read (and a choice to read it
//! otherwise), the first rows, what importing would do, and the buildings it would create.

use app::import::{Column, ImportOptions, ImportPreview};
use askama::Template;
use axum::extract::State;
use store::structure::Grid;

use super::{page, refused, reject_rows, start_import};
use crate::AppState;
use crate::i18n::Tr;
use crate::web::{Chrome, Ctx, Form, OnPage, PageResult, redirect, render};

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    c: Chrome,
    token: String,
    p: ImportPreview,
    /// (header, chosen code: "" for the header's own reading, "ignore", or a column's code).
    columns: Vec<(String, String, bool)>,
    /// (code, label) of every column, for the choices.
    fields: Vec<(&'static str, String)>,
    missing: String,
    header_text: String,
    /// The header row the person typed, kept in the form.
    header_row: String,
    grids: Vec<Grid>,
    new_buildings_text: String,
    problems: Vec<(i64, String, String)>,
    skipped: Vec<(usize, String)>,
}

/// A column's name in the reader's language.
pub(crate) fn column_label(t: Tr, c: Column) -> String {
    t.of("column", c.code())
}

/// Previews a held upload with the choices made so far.
pub(super) async fn show(
    s: &AppState,
    ctx: &Ctx,
    token: &str,
    options: &ImportOptions,
) -> PageResult {
    let Some(held) = s.held_uploads.get(token, ctx.actor.account_id) else {
        return page(s, ctx, None, ctx.t.get("import.upload_again").to_owned()).await;
    };
    let community_id = held.community_id;
    let preview = match s
        .app
        .preview_import(
            &ctx.actor,
            community_id,
            &held.file_name,
            held.bytes,
            options,
        )
        .await
    {
        Ok(p) => p,
        Err(e) => return refused(s, ctx, community_id, e).await,
    };
    let t = ctx.t;
    let grids = s.app.grids(&ctx.actor, community_id).await.on_page(ctx)?;
    let columns = preview
        .columns
        .iter()
        .map(|c| {
            let chosen = options.mapping.iter().find(|(h, _)| *h == c.header);
            let code = match chosen {
                Some((_, Some(col))) => col.code().to_owned(),
                Some((_, None)) => "ignore".to_owned(),
                None => String::new(),
            };
            (c.header.clone(), code, c.column.is_some())
        })
        .collect();
    let problems = reject_rows(&preview.problems, |code, _, detail| t.error(code, detail));
    let skipped = preview
        .skipped
        .iter()
        .map(|(n, reason)| (*n, t.of("skip_reason", reason.code())))
        .collect();
    let missing = preview
        .missing
        .iter()
        .map(|c| column_label(t, *c))
        .collect::<Vec<_>>()
        .join("、");
    let mut header_text = t
        .get("import.header_found")
        .replace("{row}", &preview.header_row.to_string())
        .replace("{above}", &preview.rows_above_header.to_string());
    if preview.header_rows > 1 {
        header_text.push(' ');
        header_text.push_str(
            &t.get("import.header_two_rows")
                .replace("{next}", &(preview.header_row + 1).to_string()),
        );
    }
    if let Some(sheet) = &preview.sheet {
        header_text.push(' ');
        header_text.push_str(&t.get("import.from_sheet").replace("{sheet}", sheet));
    }
    let new_buildings_text = t
        .get("import.new_buildings")
        .replace("{count}", &preview.new_building_count.to_string())
        .replace("{names}", &preview.new_buildings.join("、"));
    Ok(render(&PreviewPage {
        c: ctx.chrome(t.get("import.preview_title")),
        token: token.to_owned(),
        columns,
        fields: Column::ALL
            .into_iter()
            .map(|c| (c.code(), column_label(t, c)))
            .collect(),
        missing,
        header_text,
        header_row: options
            .header_row
            .map(|n| n.to_string())
            .unwrap_or_default(),
        grids,
        new_buildings_text,
        problems,
        skipped,
        p: preview,
    }))
}

/// The preview form: the column choices and the grid for new buildings, then either "preview
/// again" or "import".
pub(super) async fn choose(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let token = value("token").to_owned();
    let options = options_from(&pairs);
    let Some(held) = s.held_uploads.get(&token, ctx.actor.account_id) else {
        return page(&s, &ctx, None, ctx.t.get("import.upload_again").to_owned()).await;
    };
    // A second click on "import" goes to the import the first one started.
    if let Some(id) = held.imported {
        return Ok(redirect(&format!("/imports/{id}")));
    }
    if value("action") == "import" {
        start_import(&s, &ctx, &token, held, &options).await
    } else {
        show(&s, &ctx, &token, &options).await
    }
}

/// The choices of the form: each `header` followed by its `field` ("" keeps the header's own
/// reading), and `create_in_grid`.
fn options_from(pairs: &[(String, String)]) -> ImportOptions {
    let mut options = ImportOptions::default();
    let mut header: Option<&str> = None;
    for (k, v) in pairs {
        match k.as_str() {
            "header" => header = Some(v),
            "field" => {
                if let Some(h) = header.take() {
                    match v.as_str() {
                        "" => {}
                        "ignore" => options.mapping.push((h.to_owned(), None)),
                        code => {
                            if let Some(c) = Column::from_code(code) {
                                options.mapping.push((h.to_owned(), Some(c)));
                            }
                        }
                    }
                }
            }
            "create_in_grid" => options.create_buildings_in_grid = v.parse().ok(),
            "header_row" => options.header_row = v.trim().parse().ok().filter(|n| *n > 0),
            _ => {}
        }
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_form_gives_the_choices_made() {
        let o = options_from(&pairs(&[
            ("csrf", "x"),
            ("header", "姓名"),
            ("field", ""),
            ("header", "住户门牌"),
            ("field", "room"),
            ("header", "备注"),
            ("field", "ignore"),
            ("header", "乱"),
            ("field", "no_such_column"),
            ("create_in_grid", "12"),
            ("header_row", " 3 "),
        ]));
        assert_eq!(o.header_row, Some(3));
        assert_eq!(
            o.mapping,
            vec![
                ("住户门牌".to_owned(), Some(Column::Room)),
                ("备注".to_owned(), None)
            ]
        );
        assert_eq!(o.create_buildings_in_grid, Some(12));
        assert_eq!(
            options_from(&pairs(&[("create_in_grid", "")])).create_buildings_in_grid,
            None
        );
    }
}
