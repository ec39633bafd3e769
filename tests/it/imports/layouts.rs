//! Registers laid out as communities keep them: titles above the header, headers in their
//! own words.

use crate::support::{TestDb, citizen_id, prepare_staff_import, rejects_of};

use super::residents_by_name;

/// A register as a community keeps it: a title and a line of who filled it in above the header,
/// headers written their own way (手机, 幢, 室, full-width letters). It imports, and a rejected
/// row keeps the row number Excel shows.
#[tokio::test]
async fn a_register_with_titles_above_its_header_imports() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let mut text = String::from("XX社区居民信息登记表（第三网格）,,,,,\r\n");
    text.push_str("填表人：王芳,,填表日期：2026-12-01,,,\r\n,,,,,\r\n");
    text.push_str("＊姓名,身份证号码,手机,幢,单元,室\r\n");
    text.push_str(&format!(
        "张三,{},13800000031,1号楼,1,301\r\n",
        citizen_id(31)
    ));
    text.push_str("李四,12345,13800000032,1号楼,1,302\r\n");
    let prepared = prepare_staff_import(app, &f, "titled.csv", text)
        .await
        .expect("the header is found below the titles");
    assert_eq!(prepared.total_rows, 2);
    let done = app.run_import(prepared, &|_| {}).await.expect("ran");
    assert_eq!((done.inserted, done.rejected), (1, 1));
    let rejects = rejects_of(app, &f, done.id).await;
    assert!(rejects.iter().all(|r| r.row_number == 6), "{rejects:?}");
    assert!(
        rejects.iter().any(|r| r.column_name == "身份证号码"),
        "{rejects:?}"
    );
    let people = residents_by_name(app, &f.staff, None).await;
    assert_eq!(
        people["张三"].particulars.phone.as_deref(),
        Some("138****0031")
    );
}
