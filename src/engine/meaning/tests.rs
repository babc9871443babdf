//! Tests of the meaning table: the tokenizer against reference tokenisations, the pinned
//! checksum, damaged tables and the language check. Paraphrases: `tests/meaning.rs`.

use super::*;

#[test]
fn wordpiece_matches_the_reference_tokenisations() {
    let model = builtin().expect("the meaning table is built in");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../../tests/fixtures/wordpiece.json")).unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let expected: Vec<u32> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        assert_eq!(model.tokenizer().ids(text), expected, "{text:?}");
    }
}

/// sha256 of `assets/meaning/minilm-static.bin` as `make meaning` writes it.
const PINNED: &str = "7b8161f2c4b4cb3cad4e09f575b15b00f3916ff79b9b1cb39c00221bd2e8cdd7";

#[test]
fn the_table_is_the_pinned_one() {
    use sha2::{Digest, Sha256};
    let bytes = include_bytes!("../../../assets/meaning/minilm-static.bin");
    let digest: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        digest, PINNED,
        "the meaning table changed: run `make meaning` and pin the new checksum"
    );
    assert!(bytes.len() < 8_000_000, "the table must stay under 8 MB");
    let model = builtin().expect("the table loads");
    assert_eq!(model.dims(), DIMS);
    assert_eq!(model.tokenizer().unk(), 100, "[UNK] has BERT's id");
}

#[test]
fn damaged_tables_are_errors_not_panics() {
    let bytes = include_bytes!("../../../assets/meaning/minilm-static.bin");
    for cut in [0, 7, 8, 12, 27, 1000, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            StaticModel::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut longer = bytes.to_vec();
    longer.push(0);
    assert!(StaticModel::from_bytes(&longer).is_err());
    let mut wrong = bytes.to_vec();
    wrong[12] = 0xff; // dimensions
    assert!(StaticModel::from_bytes(&wrong).is_err());
}

#[test]
fn empty_and_unknown_answers_have_no_vector_and_meaning_is_not_word_overlap() {
    let model = builtin().unwrap();
    assert!(model.embed("").is_none());
    assert!(model.embed("   ").is_none());
    let v = model.embed("keep the food bill down").unwrap();
    let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4);
    let same = cosine(&v, &model.embed("spend less on groceries").unwrap());
    let other = cosine(&v, &model.embed("gluten free bread for my son").unwrap());
    assert!(same > other, "{same} vs {other}");
}

#[test]
fn languages_the_model_does_not_read_are_told_apart() {
    let english = [
        ("I want to keep the food bill down", 3),
        ("gluten free bread", 2),
    ];
    assert_eq!(Language::of(&english), Language::English);
    let french = [
        ("Je veux payer moins cher pour mes courses", 3),
        ("des produits sans gluten pour mon fils", 2),
        ("la livraison le soir", 1),
    ];
    assert_eq!(Language::of(&french), Language::Other("French"));
    let german = [
        ("Ich möchte weniger für Lebensmittel ausgeben", 2),
        ("glutenfreies Brot für die Familie", 2),
    ];
    assert_eq!(Language::of(&german), Language::Other("German"));
    let japanese = [("毎週の買い物を届けてほしい", 4), ("安い食品", 1)];
    assert_eq!(
        Language::of(&japanese),
        Language::Other("a language other than English")
    );
    // Short English answers without function words stay English.
    assert_eq!(
        Language::of(&[("gluten free", 5), ("cheap deals", 4)]),
        Language::English
    );
}

#[test]
fn a_vector_made_from_kept_tokens_is_the_vector_of_the_text() {
    let model = builtin().unwrap();
    for text in [
        "keep the food bill down",
        "<b>Great</b> coffee, but the bag was torn!!",
        "",
        "   ",
        "zzzqqq",
    ] {
        let from_tokens = model.embed_tokens(&model.tokens(text));
        assert_eq!(from_tokens, model.embed(text), "{text:?}");
    }
    // The tokens skipped by the table are not kept.
    let tokens = model.tokens("keep the food bill down");
    assert!(tokens.iter().all(|t| !model.skip.contains(t)));
}
