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
const PINNED: &str = "e2c394bdcb093b112c4b7eb90fa4eebcad9abd95d3ffb5047388d374884868da";

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
    assert_eq!(model.token(100), Some("[UNK]"));
}

#[test]
fn paraphrases_are_closer_than_unrelated_pairs() {
    let model = builtin().unwrap();
    let pairs: Vec<(&str, &str)> = include_str!("../../../tests/fixtures/paraphrases.tsv")
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .collect();
    assert!(pairs.len() >= 50);
    let a: Vec<Vec<f32>> = pairs.iter().map(|p| model.embed(p.0).unwrap()).collect();
    let b: Vec<Vec<f32>> = pairs.iter().map(|p| model.embed(p.1).unwrap()).collect();
    let n = pairs.len();
    let mut closer = 0;
    let mut beaten = 0usize;
    for i in 0..n {
        let own = cosine(&a[i], &b[i]);
        // Each sentence of the pair against the other pairs' sentences: the unrelated pairs.
        let mut unrelated: Vec<f32> = (0..n)
            .filter(|&j| j != i)
            .flat_map(|j| [cosine(&a[i], &b[j]), cosine(&b[i], &a[j])])
            .collect();
        beaten += unrelated.iter().filter(|&&u| own > u).count();
        unrelated.sort_by(f32::total_cmp);
        if own > unrelated[unrelated.len() / 2] {
            closer += 1;
        } else {
            eprintln!("not closer: {:?} ~ {:?} ({own:.3})", pairs[i].0, pairs[i].1);
        }
    }
    let share = closer as f64 / n as f64;
    let auc = beaten as f64 / (n * 2 * (n - 1)) as f64;
    eprintln!(
        "{closer} of {n} paraphrase pairs ({:.1} %) are closer than the typical unrelated pair; a paraphrase beats {:.1} % of unrelated pairs",
        share * 100.0,
        auc * 100.0
    );
    assert!(share >= 0.9, "only {:.1} % of pairs", share * 100.0);
    // Words alone see nothing: the pairs share no content word.
    let words = crate::engine::text::Tokenizer::default();
    for (x, y) in &pairs {
        let (wx, wy) = (words.words(x), words.words(y));
        assert!(
            wx.iter().all(|w| wy.iter().all(|v| v.stem != w.stem)),
            "{x:?} and {y:?} share a word"
        );
    }
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
