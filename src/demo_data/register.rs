//! The generated community as a register: the rows and headers a community's spreadsheet has.

use super::{Person, Plan, TravelPlan};

/// Headers of the generated register: an export's, which the importer reads as is.
pub use app::registry::EXPORT_HEADERS as HEADERS;

impl Person {
    /// The person's row as the importer reads it, and the building, unit and room it names.
    pub fn raw_resident(&self) -> (domain::resident::RawResident, [String; 3]) {
        let [
            name,
            document_kind,
            document_number,
            sex,
            birth_date,
            phone,
            building,
            unit,
            room,
            hukou,
            tenure,
            travel_status,
            travel_origin,
            returned_on,
            vulnerabilities,
            notes,
        ] = self.cells();
        let raw = domain::resident::RawResident {
            name,
            document_kind,
            document_number,
            sex,
            birth_date,
            phone,
            hukou,
            tenure,
            travel_status,
            travel_origin,
            returned_on,
            vulnerabilities,
            notes,
        };
        (raw, [building, unit, room])
    }

    pub fn cells(&self) -> [String; 16] {
        let (travel, origin, on) = match &self.travel {
            TravelPlan::Stayed => ("未离开本市", String::new(), String::new()),
            TravelPlan::Returned { origin, on } => ("外地返回", origin.clone(), on.to_string()),
            TravelPlan::NotYetReturned => ("尚未返回", String::new(), String::new()),
        };
        [
            self.name.clone(),
            "居民身份证".to_owned(),
            self.id_number.clone(),
            if self.male { "男" } else { "女" }.to_owned(),
            self.birth.to_string(),
            self.phone.clone().unwrap_or_default(),
            self.building.clone(),
            self.unit.to_owned(),
            self.room.clone(),
            if self.registered {
                "户籍"
            } else {
                "流动人口"
            }
            .to_owned(),
            if self.tenant { "租户" } else { "业主" }.to_owned(),
            travel.to_owned(),
            origin,
            on,
            self.vulnerabilities.join("、"),
            String::new(),
        ]
    }
}

impl Plan {
    /// The register as CSV in UTF-8 with a byte-order mark, as Excel in China expects.
    pub fn csv(&self) -> Vec<u8> {
        let mut out = String::with_capacity(self.residents.len() * 120 + 200);
        out.push('\u{feff}');
        push_csv_row(&mut out, HEADERS.iter().copied());
        for p in &self.residents {
            let cells = p.cells();
            push_csv_row(&mut out, cells.iter().map(String::as_str));
        }
        out.into_bytes()
    }
}

fn push_csv_row<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}
