use proptest::prelude::*;

use super::*;

const NOW: i64 = 1_580_515_200; // 2020-02-01 00:00 UTC

fn claims() -> PassClaims {
    PassClaims {
        issuer: "610825001".to_owned(),
        issued_at: NOW - 60,
        expires_at: NOW + 14 * 86_400,
        pass_id: 4_711,
        kind: PassKind::Household,
        household_id: 236_999,
        gates: vec![3, 4],
        quota: Quota { exits: 1, days: 2 },
        colour: "#1e7b34".to_owned(),
    }
}

fn key(n: u8) -> SigningKey {
    SigningKey::from_seed([n; 32])
}

/// The COSE message inside a code.
fn message_of(code: &str) -> Vec<u8> {
    let body = base45::decode(code.strip_prefix(PREFIX).expect("prefix")).expect("base45");
    let mut message = Vec::new();
    flate2::read::ZlibDecoder::new(body.as_slice())
        .read_to_end(&mut message)
        .expect("zlib");
    message
}

/// The code of a COSE message, as `issue` writes it.
fn code_of(message: &[u8]) -> String {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(message).expect("zlib");
    format!("{PREFIX}{}", base45::encode(z.finish().expect("zlib")))
}

#[test]
fn an_issued_pass_verifies_and_says_what_it_was_issued_with() {
    let k = key(1);
    let code = issue(&claims(), &k).expect("issued");
    assert!(code.starts_with(PREFIX));
    assert!(
        code.len() < 400,
        "a QR code of a few hundred characters: {}",
        code.len()
    );
    let keys = KeySet::new(vec![k.verifying_key()]);
    assert_eq!(verify(&code, &keys, NOW), Ok(claims()));
}

#[test]
fn a_pass_is_refused_with_its_reason() {
    let k = key(1);
    let code = issue(&claims(), &k).expect("issued");
    let keys = KeySet::new(vec![k.verifying_key()]);
    assert_eq!(
        verify(&code, &keys, NOW + 15 * 86_400),
        Err(PassError::Expired)
    );
    assert_eq!(
        verify(&code, &keys, NOW - 3_600),
        Err(PassError::NotYetValid)
    );
    assert_eq!(
        verify(&code, &KeySet::new(vec![key(2).verifying_key()]), NOW),
        Err(PassError::UnknownKey)
    );
    assert_eq!(verify("HC1:ABC", &keys, NOW), Err(PassError::NotAPass));
    assert_eq!(verify("GW1:%%%", &keys, NOW), Err(PassError::Malformed));
    assert_eq!(
        verify(&format!("GW1:{}", "A".repeat(5_000)), &keys, NOW),
        Err(PassError::Malformed)
    );
}

#[test]
fn a_pass_signed_by_one_key_and_named_as_another_is_refused() {
    // The forger knows the public key id of the real key but signs with their own.
    let real = key(1);
    let forger = key(9);
    let code = issue(&claims(), &forger).expect("issued");
    let mut sign1 = CoseSign1::from_tagged_slice(&message_of(&code)).expect("cose");
    sign1.protected = coset::ProtectedHeader {
        original_data: None,
        header: HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .key_id(real.key_id().to_vec())
            .build(),
    };
    let forged = code_of(&sign1.to_tagged_vec().expect("cose"));
    let keys = KeySet::new(vec![real.verifying_key()]);
    assert_eq!(verify(&forged, &keys, NOW), Err(PassError::BadSignature));
}

#[test]
fn passes_of_a_rotated_key_verify_until_they_expire() {
    let (old, new) = (key(1), key(2));
    let before = issue(&claims(), &old).expect("issued");
    let after = issue(&claims(), &new).expect("issued");
    let keys = KeySet::new(vec![new.verifying_key(), old.verifying_key()]);
    assert!(verify(&before, &keys, NOW).is_ok());
    assert!(verify(&after, &keys, NOW).is_ok());
}

#[test]
fn the_key_set_travels_as_a_cose_key_set() {
    let keys = KeySet::new(vec![key(1).verifying_key(), key(2).verifying_key()]);
    let bytes = keys.to_cose().expect("encoded");
    assert_eq!(KeySet::from_cose(&bytes), Ok(keys));
    assert_eq!(KeySet::from_cose(b"\x01\x02"), Err(PassError::Malformed));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any single change to the signed message is refused: the gate admits nothing it was not
    /// issued.
    #[test]
    fn any_changed_byte_of_a_pass_is_refused(at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let k = key(1);
        let code = issue(&claims(), &k).expect("issued");
        let mut message = message_of(&code);
        let i = at.index(message.len());
        message[i] ^= flip;
        let changed = code_of(&message);
        let keys = KeySet::new(vec![k.verifying_key()]);
        prop_assert!(verify(&changed, &keys, NOW).is_err());
    }

    /// Every pass issued verifies, whatever it says.
    #[test]
    fn every_pass_issued_verifies(
        pass_id in 1i64..i64::MAX, household_id in 1i64..10_000_000,
        gates in proptest::collection::vec(1i64..10_000, 0..8),
        exits in 0u32..10, days in 1u32..30, kind in 0usize..3,
    ) {
        let c = PassClaims { pass_id, household_id, gates, quota: Quota { exits, days }, kind: PassKind::ALL[kind], ..claims() };
        let k = key(3);
        let code = issue(&c, &k).expect("issued");
        prop_assert_eq!(verify(&code, &KeySet::new(vec![k.verifying_key()]), NOW), Ok(c));
    }

    /// The decoder never panics, whatever a camera reads.
    #[test]
    fn any_text_is_a_pass_or_a_refusal(text in "(GW1:)?[0-9A-Z $%*+./:-]{0,300}") {
        let _ = verify(&text, &KeySet::new(vec![key(1).verifying_key()]), NOW);
    }
}

/// The decoder's fuzz targets: whatever reaches each layer (the compressed bytes, the COSE
/// message, the claims inside a message signed with a known key), a refusal and never a panic.
/// `.ci/fuzz` runs them with many more cases.
mod fuzz {
    use coset::CborSerializable;
    use proptest::prelude::*;

    use super::*;

    fn keys() -> KeySet {
        KeySet::new(vec![key(1).verifying_key()])
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_compressed_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(&bytes).expect("zlib");
            let code = format!("{PREFIX}{}", base45::encode(z.finish().expect("zlib")));
            prop_assert!(verify(&code, &keys(), NOW).is_err());
        }

        #[test]
        fn any_base45_body(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let code = format!("{PREFIX}{}", base45::encode(&bytes));
            prop_assert!(verify(&code, &keys(), NOW).is_err());
        }

        /// A message signed with the gate's own key whose payload is any bytes: the claims
        /// reader refuses what is not a claims set of a pass.
        #[test]
        fn any_payload_signed_with_a_known_key(payload in proptest::collection::vec(any::<u8>(), 0..400)) {
            let k = key(1);
            let message = signed(payload, &k).expect("a message");
            let _ = verify(&code_of(&message), &keys(), NOW);
        }

        /// A claims set with any of its private claims replaced by any CBOR value.
        #[test]
        fn any_claim_value(which in 0usize..6, value in any::<i64>(), text in ".{0,40}") {
            let k = key(1);
            let mut set = claims().to_claims_set();
            if let Some((_, v)) = set.rest.get_mut(which) {
                *v = if value % 2 == 0 {
                    coset::cbor::value::Value::Integer(value.into())
                } else {
                    coset::cbor::value::Value::Text(text)
                };
            }
            let message = signed(set.to_vec().expect("claims"), &k).expect("a message");
            let _ = verify(&code_of(&message), &keys(), NOW);
        }
    }
}
