//! Timings on register-sized inputs; ignored by default, run in release:
//! `cargo test --release -p gridwatch-sheets --test perf -- --ignored --nocapture`.

use std::fmt::Write as _;
use std::time::Instant;

const ROWS: usize = 674_278;

fn register_csv() -> String {
    let mut text =
        String::from("\u{feff}姓名,性别,身份证号,联系电话,楼栋,单元,房号,现住址,人员类型,备注\r\n");
    for i in 0..ROWS {
        let _ = write!(
            text,
            "居民{i},男,61082519900101{:04},138{:08},{},{},{},陕西省榆林市某区某街道某社区{}号楼,常住人口,\"备注,{i}\"\r\n",
            i % 10_000,
            i,
            i % 40,
            i % 6,
            i % 3000,
            i % 40,
        );
    }
    text
}

#[test]
#[ignore = "timing; run in release"]
fn large_csv_parses_quickly() -> Result<(), sheets::SheetError> {
    let text = register_csv();
    let started = Instant::now();
    let table = sheets::read_table(text.as_bytes(), Some("large.csv"))?;
    let utf8 = started.elapsed();
    assert_eq!(table.rows.len(), ROWS);
    assert_eq!(table.rows.last().map(|r| r.number), Some(ROWS + 1));

    let (gbk, _, _) = encoding_rs::GBK.encode(&text[3..]);
    let started = Instant::now();
    let from_gbk = sheets::read_table(&gbk, None)?;
    let gbk_time = started.elapsed();
    assert_eq!(from_gbk.rows.len(), ROWS);
    println!(
        "{} MB UTF-8 CSV: {utf8:?}; {} MB GBK CSV: {gbk_time:?}",
        text.len() / 1_000_000,
        gbk.len() / 1_000_000
    );
    Ok(())
}

#[test]
#[ignore = "timing; run in release"]
fn large_exports() -> Result<(), sheets::SheetError> {
    let text = register_csv();
    let table = sheets::read_table(text.as_bytes(), None)?;
    let rows: Vec<Vec<String>> = table.rows.into_iter().map(|r| r.cells).collect();
    drop(text);

    let started = Instant::now();
    let csv = sheets::write_csv(&table.headers, &rows);
    println!(
        "write_csv: {} MB in {:?}",
        csv.len() / 1_000_000,
        started.elapsed()
    );
    drop(csv);

    let started = Instant::now();
    let xlsx = sheets::write_xlsx("residents", &table.headers, &rows)?;
    println!(
        "write_xlsx: {} MB in {:?}",
        xlsx.len() / 1_000_000,
        started.elapsed()
    );

    let started = Instant::now();
    let back = sheets::read_table(&xlsx, None)?;
    println!("read xlsx: {:?}", started.elapsed());
    assert_eq!(back.rows.len(), ROWS);
    Ok(())
}
