//! Hostile uploads are refused naming the limit, through the API and the use case, and the
//! rejected rows of an import are kept once each and capped.

use app::AppError;
use axum::http::{StatusCode, header};
use domain::registry::ImportStatus;
use serde_json::Value;

use crate::http::Client;
use crate::support::{TestDb, citizen_id, prepare_staff_import, rejects_of, with_bad_check_char};

/// An .xlsx of two cells, A1 and XFD1048576: 1.7 KB that once asked for 550 GB.
fn sparse_xlsx() -> Vec<u8> {
    use std::io::Write as _;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#;
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("part");
        zip.write_all(text.as_bytes()).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

#[tokio::test]
async fn a_sparse_xlsx_is_refused_naming_the_limit_and_the_server_answers_after() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let file = sparse_xlsx();
    assert!(file.len() < 2048, "{} bytes", file.len());

    let router = server::router(app.clone());
    let mut anon = Client::new(router.clone());
    let token = anon.token("staff").await;
    for lang in ["en", "zh"] {
        let mut api = anon
            .bearer(&token)
            .with_header(header::ACCEPT_LANGUAGE, lang);
        let path = format!(
            "/api/v1/imports?community_id={}&file_name=sparse.xlsx",
            f.community_id
        );
        let res = api.post_file(&path, file.clone()).await;
        res.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = res.json();
        let field = &body["error"]["fields"][0];
        assert_eq!(field["field"], "file", "{body}");
        assert_eq!(field["code"], "upload_too_many_columns", "{body}");
        let message = field["message"].as_str().unwrap_or_default();
        // The message names the limit (in the caller's language: the account's or the header's).
        assert!(
            message.contains("first 64 columns") || message.contains("前 64 列"),
            "{lang}: {message}"
        );
        // Still serving.
        assert_eq!(api.get("/healthz").await.status, StatusCode::OK);
    }
    // Nothing was recorded for the refused file.
    assert!(
        app.imports(&f.staff, f.community_id)
            .await
            .expect("imports")
            .is_empty()
    );
}

#[tokio::test]
async fn configured_limits_apply_to_csv_uploads() {
    let (db, f) = TestDb::with_fixture().await;
    let mut app = db.app.clone();
    app.settings.imports.sheet.max_rows = 2;
    let mut csv = "姓名,身份证号,楼栋,单元,房号\r\n".to_owned();
    for i in 0..3 {
        csv.push_str(&format!("王{i},{},1号楼,1,10{i}\r\n", citizen_id(40 + i)));
    }
    let refused = prepare_staff_import(&app, &f, "rows.csv", csv.as_str()).await;
    match refused {
        Err(AppError::Validation(e)) => {
            assert_eq!(e.0[0].code, "upload_too_many_rows", "{e:?}");
            assert_eq!(e.0[0].detail, "2");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|p| p.import_id)),
    }
    // A gigantic line: one cell of 1 MB.
    let big = format!(
        "姓名,身份证号,楼栋,单元,房号\r\n{},{},1号楼,1,101\r\n",
        "x".repeat(1024 * 1024),
        citizen_id(50)
    );
    match prepare_staff_import(&app, &f, "big.csv", big.as_str()).await {
        Err(AppError::Validation(e)) => {
            assert_eq!(e.0[0].code, "upload_cell_too_large", "{e:?}");
            assert_eq!(e.0[0].detail, "32 KB");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|p| p.import_id)),
    }
}

/// A register of `bad` rows, each wrong in three fields, then `good` good rows.
fn register(bad: u32, good: u32) -> String {
    let mut csv = "姓名,身份证号,联系电话,楼栋,单元,房号\r\n".to_owned();
    for i in 0..bad {
        // Bad ID check character, bad phone, unknown building.
        csv.push_str(&format!(
            ",{},12345,9号楼,1,10{i}\r\n",
            with_bad_check_char(&citizen_id(100 + i))
        ));
    }
    for i in 0..good {
        csv.push_str(&format!(
            "李{i},{},13800000{:03},1号楼,1,20{i}\r\n",
            citizen_id(200 + i),
            i
        ));
    }
    csv
}

#[tokio::test]
async fn a_bad_row_is_kept_once_with_all_its_problems() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let csv = register(2, 1);
    let prepared = prepare_staff_import(app, &f, "bad.csv", csv.as_str())
        .await
        .expect("prepared");
    let done = app.run_import(prepared, &|_| {}).await.expect("ran");
    assert_eq!(done.status, ImportStatus::Finished);
    assert_eq!((done.inserted, done.rejected), (1, 2));
    let rejects = rejects_of(app, &f, done.id).await;
    for row in [2, 3] {
        let of_row: Vec<_> = rejects.iter().filter(|r| r.row_number == row).collect();
        assert!(of_row.len() >= 2, "every problem of row {row}: {of_row:?}");
        let with_cells = of_row.iter().filter(|r| !r.cells.is_empty()).count();
        assert_eq!(with_cells, 1, "the row's cells are stored once: {of_row:?}");
    }
    // The workbook of rejected rows has each row once, with every reason.
    let book = app
        .rejects_workbook(&f.staff, done.id, &|code, _, _| code.to_owned())
        .await
        .expect("workbook");
    let table = sheets::read_table(&book, None).expect("readable");
    assert_eq!(table.rows.len(), 2);
    let reasons = table.rows[0].cells.last().cloned().unwrap_or_default();
    assert!(reasons.matches("; ").count() >= 1, "{reasons}");
}

#[tokio::test]
async fn an_import_with_too_many_rejected_rows_stops_and_says_so() {
    let (db, f) = TestDb::with_fixture().await;
    let mut app = db.app.clone();
    app.settings.imports.max_rejected_rows = 3;
    let csv = register(5, 2);
    let prepared = prepare_staff_import(&app, &f, "mostly-bad.csv", csv.as_str())
        .await
        .expect("prepared");
    let done = app.run_import(prepared, &|_| {}).await.expect("ran");
    assert_eq!(done.status, ImportStatus::TooManyRejects);
    // The first three rejected rows are kept to be read; nothing else was written.
    assert_eq!((done.inserted, done.merged, done.rejected), (0, 0, 3));
    let rejects = rejects_of(&app, &f, done.id).await;
    let mut rows: Vec<i64> = rejects.iter().map(|r| r.row_number).collect();
    rows.dedup();
    assert_eq!(rows, [2, 3, 4]);

    // The import page says why it stopped, with the limit.
    let router = server::router(app.clone());
    let mut web = Client::new(router).with_header(header::ACCEPT_LANGUAGE, "en");
    web.sign_in("staff").await;
    let page = web.get(&format!("/imports/{}", done.id)).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("more than 3 rows were rejected") || text.contains("退回的行超过 3 行"),
        "{text}"
    );
}

/// The rows of a file are read as a stream while the import runs, never all kept at once: a
/// memory budget for kept rows far below the file's size does not stop it, and the batches
/// are all written.
#[tokio::test]
async fn an_import_reads_its_rows_as_a_stream() {
    let (db, f) = TestDb::with_fixture().await;
    let mut app = db.app.clone();
    app.settings.imports.sheet.max_table_bytes = 1024;
    let csv = register(0, 40);
    assert!(csv.len() > 2 * 1024, "the file is larger than the budget");
    let prepared = prepare_staff_import(&app, &f, "big.csv", csv)
        .await
        .expect("prepared");
    assert_eq!(prepared.total_rows, 40);
    let seen = std::sync::Mutex::new(Vec::new());
    let done = app
        .run_import(prepared, &|p| {
            if let Ok(mut seen) = seen.lock() {
                seen.push(p);
            }
        })
        .await
        .expect("ran");
    assert_eq!(done.status, ImportStatus::Finished);
    assert_eq!((done.inserted, done.rejected), (40, 0));
    let seen = seen.into_inner().unwrap_or_default();
    assert_eq!(seen.last().map(|p| (p.processed, p.total)), Some((40, 40)));
}
