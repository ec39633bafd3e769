#[test]
fn bench() {
    let bytes = std::fs::read(std::env::var("F").expect("F")).expect("r");
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let table = sheets::read_table(&bytes, None).expect("ok");
        let e = t.elapsed();
        drop(table);
        println!("read {e:?}");
    }
}
