//! Schema tests: a table of tricky columns and the kind and role each must get.

use super::outcomes::opportunity;
use super::read::numbers;
use super::*;
use crate::engine::ingest::{IngestParams, read_bytes};
use expect_test::{Expect, expect};

fn schema_of(csv: &str) -> (Schema, Vec<Diagnostic>) {
    let parsed = read_bytes("t.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    let hints: Vec<ColumnHint> = parsed
        .table
        .columns()
        .iter()
        .map(|_| ColumnHint {
            file: "t.csv".into(),
            decimal: parsed.dialect.decimal,
            first_row: parsed.dialect.first_row(),
        })
        .collect();
    infer(&parsed.table, &hints, &SchemaParams::default())
}

fn check(csv: &str, expected: Expect) {
    let (schema, diagnostics) = schema_of(csv);
    let mut out = String::new();
    for c in &schema.columns {
        out.push_str(&format!(
            "{}: {} · {} · {}\n",
            c.name,
            c.kind.label(),
            c.role.label(),
            c.reason
        ));
    }
    for p in &schema.outcomes {
        out.push_str(&format!(
            "outcome “{}”: importance={} satisfaction={}\n",
            p.outcome, p.importance, p.satisfaction
        ));
    }
    for d in diagnostics {
        out.push_str(&format!("! {d}\n"));
    }
    expected.assert_eq(&out);
}

/// Twenty rows of the tricky columns issue #4 names.
fn tricky_csv() -> String {
    let mut csv = String::from(
        "Customer No,Email,Zip,Age,Gender,Signed up (UK),Last order (US),Newsletter,Channels,Satisfaction (1-5),What are you trying to achieve?,Orders\n",
    );
    let goals = [
        "keep my grocery bill down every week",
        "send invoices with VAT quickly",
        "find gluten free recipes for the kids",
        "spend less time planning meals",
    ];
    let genders = ["Female", "Male", "Non-binary", "Female"];
    let channels = ["email; sms", "email", "push; email", "sms"];
    let opt = ["yes", "no", "", "yes"];
    for i in 0..20 {
        let day = 1 + i;
        csv.push_str(&format!(
            "{},person{i}@example.com,0{:04},{},{},{:02}/0{}/2024,0{}/{:02}/2024,{},{},{},{},{}\n",
            100_200 + i * 7,
            2134 + i,
            22 + i * 2,
            genders[i % 4],
            day,
            1 + i % 9,
            1 + i % 9,
            day,
            opt[i % 4],
            channels[i % 4],
            1 + i % 5,
            goals[i % 4],
            i % 6,
        ));
    }
    csv
}

#[test]
fn tricky_columns_get_the_right_kind_and_role() {
    check(
        &tricky_csv(),
        expect![[r#"
            Customer No: identifier · Not used · numbers with an identifier's header → identifies records; used only to join files
            Email: email address · Not used · email addresses → personal data: never used, masked on screen, kept in the export
            Zip: code · Who they are · codes with leading zeros (e.g. zip codes); kept as text → a demographic: describes segments, never forms them
            Age: count · Who they are · whole numbers 22–60 → a demographic: describes segments, never forms them
            Gender: category · Who they are · 3 different values → a demographic: describes segments, never forms them
            Signed up (UK): date · What they do · dates, day first (some days are over 12) → recency and tenure: what people do
            Last order (US): date · What they do · dates, month first (some days are over 12) → recency and tenure: what people do
            Newsletter: yes / no · What they do · two values meaning yes and no → recorded activity: what people do
            Channels: multiple choice · What they do · several choices per cell, separated by “;” → recorded activity: what people do
            Satisfaction (1-5): rating 1–5 · What they say · whole numbers 1–5 with a rating word in the header → how people rate what matters to them
            What are you trying to achieve?: free text · What they say · free text, 6 words on average → what people say in their own words
            Orders: count · What they do · whole numbers 0–5 → recorded activity: what people do
        "#]],
    );
}

#[test]
fn dates_in_both_orders_read_to_the_same_days() {
    let (schema, _) = schema_of(&tricky_csv());
    let parsed =
        read_bytes("t.csv", tricky_csv().as_bytes(), &IngestParams::default()).expect("read");
    let uk = numbers(parsed.table.column(5).expect("uk"), &schema.columns[5]);
    let us = numbers(parsed.table.column(6).expect("us"), &schema.columns[6]);
    assert_eq!(uk, us, "the same calendar days written two ways");
    assert_eq!(dates::format_day(uk[12]), "2024-04-13");
}

#[test]
fn ticked_or_blank_and_ordered_text_and_decimal_comma_columns() {
    check(
        "Ticked;Agreement;Spend\nx;Strongly agree;12,50\n;Disagree;3,75\nx;Neutral;1.204,00\n;Agree;0,99\n",
        expect![[r#"
            Ticked: yes / no · What they do · ticked or blank → recorded activity: what people do
            Agreement: ordered scale · What they say · ordered answers from “disagree” to “strongly agree” → how people rate what matters to them
            Spend: money · What they do · amounts of money (decimal comma) → recorded activity: what people do
        "#]],
    );
}

#[test]
fn non_finite_and_other_convention_numbers_are_reported_with_row_and_column() {
    check(
        "Orders,Spend\n1,10.5\n2,NaN\n3,1e309\n4,\"12,5\"\n5,7.25\n6,8.00\n7,9.10\n8,1.5\n9,2.5\n10,3.5\n11,4.5\n12,5.5\n13,6.5\n14,7.5\n15,8.5\n16,9.5\n17,10.5\n18,11.5\n19,12.5\n20,13.5\n",
        expect![[r#"
            Orders: count · What they do · whole numbers 1–20 → recorded activity: what people do
            Spend: money · What they do · amounts of money → recorded activity: what people do
            ! t.csv, row 3, column "Spend": “NaN” is not a finite number; it is treated as missing (2 times; rows 3, 4)
              help: check the formula or export that produced it
            ! t.csv, row 5, column "Spend": expected a number, found “12,5”; it is treated as missing
              help: this value uses the other decimal separator; choose the decimal separator on the check screen
        "#]],
    );
}

/// A survey's top answer "7+" keeps its column a count, read as 7, and says so with its
/// row and column; nothing is treated as missing.
#[test]
fn a_top_answer_with_a_plus_keeps_its_column_a_count() {
    check(
        "Orders,Spend\n1,10.5\n2,7.25\n3,8.00\n4,9.10\n5+,1.5\n2,2.5\n1,3.5\n3,4.5\n5+,5.5\n4,6.5\n",
        expect![[r#"
            Orders: count · What they do · whole numbers 1–5 → recorded activity: what people do
            Spend: money · What they do · amounts of money → recorded activity: what people do
            ! t.csv, row 6, column "Orders": “5+” is read as 5 (5 or more) (2 times; rows 6, 10)
        "#]],
    );
}

#[test]
fn importance_and_satisfaction_pairs_give_opportunity_scores() {
    let csv = "id,Importance: reorder my usual items quickly,Importance: track my delivery,Satisfaction: track my delivery,Satisfaction: reorder my usual items quickly\n\
               1,5,2,2,1\n2,4,3,3,4\n3,5,5,1,2\n";
    let (schema, _) = schema_of(csv);
    assert_eq!(
        schema.outcomes,
        vec![
            OutcomePair {
                outcome: "reorder my usual items quickly".into(),
                importance: 1,
                satisfaction: 4
            },
            OutcomePair {
                outcome: "track my delivery".into(),
                importance: 2,
                satisfaction: 3
            },
        ]
    );
    let parsed = read_bytes("t.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    // Row 1: importance 5 → 10, satisfaction 1 → 0: 10 + max(10 − 0, 0) = 20.
    // Row 2: importance 4 → 7.5, satisfaction 4 → 7.5: 7.5 + 0 = 7.5.
    // Row 3: importance 5 → 10, satisfaction 2 → 2.5: 10 + 7.5 = 17.5.
    assert_eq!(
        opportunity(&parsed.table, &schema, &schema.outcomes[0]),
        vec![20.0, 7.5, 17.5]
    );
}

#[test]
fn user_overrides_win_and_demographics_forming_segments_warn() {
    let parsed =
        read_bytes("t.csv", tricky_csv().as_bytes(), &IngestParams::default()).expect("read");
    let hints: Vec<ColumnHint> = parsed
        .table
        .columns()
        .iter()
        .map(|_| ColumnHint {
            file: "t.csv".into(),
            decimal: Decimal::Dot,
            first_row: 2,
        })
        .collect();
    let mut params = SchemaParams::default();
    params.roles.insert("Gender".into(), Role::Behaviour);
    params.roles.insert("Orders".into(), Role::Ignore);
    let (schema, _) = infer(&parsed.table, &hints, &params);
    assert_eq!(schema.columns[4].role, Role::Behaviour);
    assert!(schema.columns[4].overridden);
    assert_eq!(schema.columns[11].role, Role::Ignore);
    assert_eq!(schema.warnings.len(), 1);
    assert!(schema.warnings[0].contains("Gender"));
}

/// A survey tool's "Duration (in seconds)", "Progress" and "Finished" say how the form was
/// filled in; a shop's or a geyser's plain `duration` is what happened, and forms segments.
/// Before, any column named "Duration" was left out as survey metadata (R's `MASS::geyser`
/// was segmented on its waiting times alone).
#[test]
fn a_duration_is_survey_metadata_only_beside_a_survey_tools_own_columns() {
    let mut qualtrics =
        String::from("StartDate,Duration (in seconds),Progress,Finished,ResponseId,Orders\n");
    let mut shop = String::from("Customer,Duration,Progress,Orders\n");
    for i in 0..40 {
        qualtrics.push_str(&format!(
            "2026-10-{:02} 09:00,{},100,True,R_{i:06},{}\n",
            1 + i % 28,
            60 + i * 7,
            i % 5
        ));
        shop.push_str(&format!(
            "C{i:04},{},{},{}\n",
            3 + (i * 7) % 40,
            (i * 13) % 100,
            i % 5
        ));
    }
    let roles = |csv: &str| {
        let (schema, _) = schema_of(csv);
        schema
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.role))
            .collect::<BTreeMap<String, Role>>()
    };
    let q = roles(&qualtrics);
    for metadata in [
        "Duration (in seconds)",
        "Progress",
        "Finished",
        "StartDate",
        "ResponseId",
    ] {
        assert_eq!(q[metadata], Role::Ignore, "{metadata}");
    }
    let s = roles(&shop);
    for behaviour in ["Duration", "Progress", "Orders"] {
        assert_eq!(s[behaviour], Role::Behaviour, "{behaviour}");
    }
}

/// R's datasets carry their row names as a first column; where they are names, not numbers
/// (carData's TitanicSurvival: "Allen, Miss. Elisabeth Walton" under "rownames"), they name
/// the row. Read as free text, 1,309 passengers' names formed segments.
#[test]
fn row_names_under_a_row_index_header_name_the_row() {
    let titles = ["Mr.", "Mrs.", "Miss.", "Master."];
    let first = ["John", "Mary", "William", "Elisabeth", "Hudson", "Anna"];
    for (header, ignored) in [
        ("rownames", true),
        ("", true),
        ("Unnamed: 0", true),
        ("Passenger", false),
    ] {
        let mut csv = format!("{header},survived,passengerClass\n");
        for i in 0..120 {
            csv.push_str(&format!(
                "\"Family{i}, {} {} {}\",{},{}\n",
                titles[i % 4],
                first[i % 6],
                first[(i / 6) % 6],
                ["yes", "no"][i % 2],
                ["1st", "2nd", "3rd"][i % 3]
            ));
        }
        let (schema, _) = schema_of(&csv);
        let names = &schema.columns[0];
        assert_eq!(
            names.role == Role::Ignore && names.reason.contains("row's name"),
            ignored,
            "{header:?}: {:?} {}",
            names.role,
            names.reason
        );
    }
}

/// Issue 18: R's small datasets carry their row names as a first column, 1 to N: among
/// fewer than 50 rows a count could come out that way by chance, but not under a header
/// that names a row index ("rownames" in PlantGrowth's 30 rows, read as a count before).
#[test]
fn a_row_index_under_its_header_is_an_identifier_in_a_small_file() {
    for header in ["rownames", "", "Unnamed: 0", "...1"] {
        let mut csv = format!("{header},weight,group\n");
        for i in 0..30 {
            csv.push_str(&format!(
                "{},{:.2},{}\n",
                i + 1,
                4.0 + (i % 7) as f64 / 3.0,
                ["ctrl", "trt1", "trt2"][i / 10]
            ));
        }
        let (schema, _) = schema_of(&csv);
        let first = &schema.columns[0];
        assert_eq!(first.role, Role::Ignore, "{header:?}: {}", first.reason);
        assert!(first.reason.contains("row number"), "{}", first.reason);
    }
    // With gaps, rows left out after numbering (the real employee survey's rownames run 1,
    // 2, 4, 5, 7 …), under a tool's header only: "x" or "index" may be a column of data.
    for (header, ignored) in [("rownames", true), ("Unnamed: 0", true), ("x", false)] {
        let mut csv = format!("{header},weight,group\n");
        for i in 0..200 {
            csv.push_str(&format!(
                "{},{:.2},{}\n",
                i * 3 / 2 + 1,
                4.0 + (i % 7) as f64 / 3.0,
                ["ctrl", "trt1", "trt2"][i % 3]
            ));
        }
        let (schema, _) = schema_of(&csv);
        let first = &schema.columns[0];
        assert_eq!(
            first.role == Role::Ignore && first.reason.contains("row number"),
            ignored,
            "{header:?}: {}",
            first.reason
        );
    }
    // The same numbers under another header are left to the other rules.
    let mut csv = String::from("Visits,group\n");
    for i in 0..30 {
        csv.push_str(&format!("{},{}\n", i + 1, ["ctrl", "trt1", "trt2"][i / 10]));
    }
    let (schema, _) = schema_of(&csv);
    assert!(
        !schema.columns[0].reason.contains("row number"),
        "{}",
        schema.columns[0].reason
    );
}

/// A survey's grid of questions on one scale is ratings, what people say, though no header
/// says "rate": "Value for money" was read as money and "Delivery speed" as something people
/// do. One such column alone stays a count, and so do coded columns that start at 0.
#[test]
fn questions_answered_on_one_scale_are_ratings() {
    let headers = [
        "Value for money",
        "Delivery speed",
        "Support quality",
        "App design",
    ];
    let mut csv = format!("{},Orders,Segment code\n", headers.join(","));
    for i in 0..200 {
        let answers: Vec<String> = (0..4)
            .map(|q| ((i * (q + 1) + q) % 5 + 1).to_string())
            .collect();
        csv.push_str(&format!("{},{},{}\n", answers.join(","), i % 5 + 1, i % 10));
    }
    let (schema, _) = schema_of(&csv);
    for (col, header) in schema.columns.iter().zip(headers) {
        assert_eq!(col.name, header);
        assert_eq!(
            col.kind,
            Kind::Rating { min: 1.0, max: 5.0 },
            "{}",
            col.reason
        );
        assert_eq!(col.role, Role::StatedJobs, "{}", col.reason);
        assert!(col.reason.contains("one of 4 questions"), "{}", col.reason);
    }
    // "Orders" is a count by its header; "Segment code" starts at 0.
    assert_eq!(
        schema.columns[4].kind,
        Kind::Count,
        "{}",
        schema.columns[4].reason
    );
    assert_ne!(
        schema.columns[5].kind,
        Kind::Rating {
            min: 1.0,
            max: 10.0
        }
    );
    // Two questions on one scale are not yet a grid.
    let mut csv = String::from("Delivery speed,App design\n");
    for i in 0..200 {
        csv.push_str(&format!("{},{}\n", i % 5 + 1, (i * 3) % 5 + 1));
    }
    let (schema, _) = schema_of(&csv);
    assert!(schema.columns.iter().all(|c| c.kind == Kind::Count));
}

/// Issue 18: a row number read as a count of something formed segments; survey tools' own
/// columns (a submission timestamp) took half the weight of a survey; demographics named in
/// another language, or only recognisable by their values, formed segments silently.
#[test]
fn row_numbers_survey_metadata_and_demographics_by_value_never_form_segments() {
    let mut csv = String::from(
        ",Submitted At,Response ID,Alter,Sexe,Land,Age band,Gender identity,Home,Postcode,How often do you travel?,Orders\n",
    );
    let sexes = ["Homme", "Femme", "Femme", "Autre"];
    let countries = ["Deutschland", "France", "USA", "Italia", "United Kingdom"];
    let bands = ["18-24", "25 – 34", "35-44", "65+"];
    let genders = ["Woman", "Man", "Non-binary", "Woman"];
    let homes = ["Germany", "Spain", "Poland", "Netherlands", "Canada"];
    let postcodes = [
        "SW1A 1AA", "M1 1AE", "K1A 0B1", "1012 AB", "B33 8TH", "EC1A 1BB", "W1A 0AX", "CR2 6XH",
        "DN55 1PT", "LS1 4AP", "BT1 5GS",
    ];
    for i in 0..60 {
        csv.push_str(&format!(
            "{},2026-10-{:02} 09:{:02},R_{:06},{},{},{},{},{},{},{},{},{}\n",
            i + 1,
            1 + i % 28,
            i,
            i * 3,
            18 + (i * 7) % 45,
            sexes[i % 4],
            countries[i % 5],
            bands[i % 4],
            genders[i % 4],
            homes[i % 5],
            postcodes[i % 11],
            ["Rarely", "Often", "Every month"][i % 3],
            (i * 5) % 7,
        ));
    }
    let (schema, _) = schema_of(&csv);
    let role = |name: &str| {
        let c = schema.columns.iter().find(|c| c.name == name).expect(name);
        (c.role, c.reason.clone())
    };
    let (r, why) = role("Column 1");
    assert_eq!(r, Role::Ignore, "{why}");
    assert!(why.contains("row number"), "{why}");
    for metadata in ["Submitted At", "Response ID"] {
        assert_eq!(
            role(metadata).0,
            Role::Ignore,
            "{metadata}: {}",
            role(metadata).1
        );
    }
    for demographic in [
        "Alter",
        "Sexe",
        "Land",
        "Age band",
        "Gender identity",
        "Home",
        "Postcode",
    ] {
        let (r, why) = role(demographic);
        assert_eq!(r, Role::DescribeOnly, "{demographic}: {why}");
    }
    assert!(role("Home").1.contains("countries"), "{}", role("Home").1);
    assert_eq!(role("How often do you travel?").0, Role::StatedJobs);
    assert_eq!(role("Orders").0, Role::Behaviour);
}

#[test]
fn counts_and_money_are_not_mistaken_for_demographics() {
    let mut csv = String::from("Orders,Contract value,Plan,Seats\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "{},{},{},{}\n",
            i % 9,
            10_000 + i * 997,
            ["basic", "pro"][i % 2],
            1 + i % 3
        ));
    }
    let (schema, _) = schema_of(&csv);
    for c in &schema.columns {
        assert_eq!(c.role, Role::Behaviour, "{}: {}", c.name, c.reason);
    }
}

/// `demographic_values` stops reading a column once no test can pass; it must give the answer
/// it gave reading every value. Countries that first appear after a sixth of the rows of other
/// answers still make a column of countries; a column of emails is none.
#[test]
fn demographic_values_stop_early_only_when_no_test_can_pass() {
    let mut cells: Vec<String> = (0..15).map(|i| format!("somewhere {i}")).collect();
    let countries = ["France", "Germany", "Spain", "Italy", "Norway"];
    cells.extend((0..85).map(|i| countries[i % 5].to_string()));
    let col = crate::engine::table::Column::from_cells("Home", cells.iter().map(String::as_str));
    assert_eq!(roles::demographic_values(&col, false), Some("countries"));
    // Past the countries' 20 % of misses: no longer a column of countries.
    let mut cells: Vec<String> = (0..21).map(|i| format!("somewhere {i}")).collect();
    cells.extend((0..79).map(|i| countries[i % 5].to_string()));
    let col = crate::engine::table::Column::from_cells("Home", cells.iter().map(String::as_str));
    assert_eq!(roles::demographic_values(&col, false), None);
    let emails: Vec<String> = (0..500).map(|i| format!("p{i}@example.com")).collect();
    let col =
        crate::engine::table::Column::from_cells("Contact", emails.iter().map(String::as_str));
    assert_eq!(roles::demographic_values(&col, false), None);
    // Genders among a few values, the most common first or last.
    let mut cells = vec!["prefer not to say"; 9];
    cells.extend(["female"; 50]);
    cells.extend(["male"; 41]);
    let col = crate::engine::table::Column::from_cells("Sex", cells.iter().copied());
    assert_eq!(roles::demographic_values(&col, false), Some("genders"));
}

/// An export that holds some customers twice still names people by their id: read as a
/// choice, 60 ids of 80 rows formed segments as behaviour.
#[test]
fn an_id_column_with_repeated_customers_is_still_an_identifier() {
    let mut csv = String::from("Customer ID,Plan\n");
    for i in 0..80 {
        csv.push_str(&format!("C{},{}\n", i % 60, ["basic", "plus"][i % 2]));
    }
    let (schema, _) = schema_of(&csv);
    assert_eq!(schema.columns[0].kind, Kind::Identifier);
    assert_eq!(schema.columns[0].role, Role::Ignore);
}

#[test]
fn an_outcome_is_named_as_its_question_words_it() {
    let csv = "id,How important is it to see every project's status at a glance?,How satisfied are you with how well you can see every project's status at a glance?,Importance: get my delivery at a time that suits me,Satisfaction: get my delivery at a time that suits me,importance_reorder_speed,satisfaction_reorder_speed,How important is it to show auditors who changed what and when today?,How satisfied are you with how well you can show auditors who changed what and when?\n\
               1,5,2,4,2,5,1,5,1\n2,4,3,5,1,3,3,4,2\n3,5,5,2,4,4,2,5,2\n";
    let (schema, _) = schema_of(csv);
    let names: Vec<&str> = schema.outcomes.iter().map(|o| o.outcome.as_str()).collect();
    assert_eq!(
        names,
        [
            "see every project's status at a glance",
            "get my delivery at a time that suits me",
            "reorder speed",
            "show auditors who changed what and when"
        ]
    );
}

/// CDNOW's real log of orders (lifetimes' `CDNOW_master.txt`) dates them `19970101`: those
/// are days, not numbers near twenty million to average, while eight-digit numbers that are
/// not all dates stay numbers.
#[test]
fn eight_digit_dates_without_separators_are_dates() {
    let mut csv = String::from("customer_id,date,Account\n");
    for i in 0..40 {
        let day = 19_970_101 + (i % 28) + 100 * (i % 12);
        csv.push_str(&format!("{:05},{day},{}\n", i + 1, 20_000_000 + 37 * i));
    }
    let (schema, _) = schema_of(&csv);
    assert_eq!(
        schema.columns[1].kind,
        Kind::Date,
        "{}",
        schema.columns[1].reason
    );
    assert_ne!(
        schema.columns[2].kind,
        Kind::Date,
        "{}",
        schema.columns[2].reason
    );
    let parsed = read_bytes("t.csv", csv.as_bytes(), &IngestParams::default()).expect("read");
    let days = numbers(parsed.table.column(1).expect("date"), &schema.columns[1]);
    assert_eq!(dates::format_day(days[0]), "1997-01-01");
    assert_eq!(dates::format_day(days[13]), "1997-02-14");
}

/// A survey tool's exports read as the tool means them: Qualtrics' and SurveyMonkey's extra
/// header rows name the columns (`ingest`), their grids of importance and satisfaction pair
/// into outcomes, SurveyMonkey's columns of one option each are ticked or blank (an option
/// "household" is not a household's size), and Qualtrics' own columns are left out. Before,
/// the ratings were "Q3_1" counts of what people do, the options "one value only", and a
/// header row was a respondent.
#[test]
fn survey_tools_exports_are_read_as_their_questions() {
    let mut monkey = String::from(
        "Respondent ID,Collector ID,What gets in the way?,How important is each of these to you?,,How satisfied are you with each?,,Which of these do you buy from us? (Select all that apply),,\n\
         ,,Open-Ended Response,Get my delivery on time,Find food for my diet,Get my delivery on time,Find food for my diet,Fresh,Household,Other (please specify)\n",
    );
    // Each import id is a JSON object in a quoted cell, its quotes doubled.
    let import_ids: Vec<String> = [
        "startDate",
        "status",
        "progress",
        "finished",
        "_recordId",
        "QID1_TEXT",
        "QID3_1",
        "QID3_2",
    ]
    .iter()
    .map(|id| format!("\"{{\"\"ImportId\"\":\"\"{id}\"\"}}\""))
    .collect();
    let mut qualtrics = format!(
        "StartDate,Status,Progress,Finished,ResponseId,Q1,Q3_1,Q3_2\n\
         Start Date,Response Type,Progress,Finished,Response ID,What gets in the way?,How important is it to you to... - get my delivery on time,How satisfied are you with how well we... - get my delivery on time\n\
         {}\n",
        import_ids.join(",")
    );
    let levels = [
        "Not at all important",
        "Slightly important",
        "Very important",
        "Extremely important",
    ];
    let satisfied = [
        "Very dissatisfied",
        "Dissatisfied",
        "Satisfied",
        "Very satisfied",
    ];
    let obstacles = [
        "slots too wide",
        "no gluten free bread",
        "it's fine",
        "prices went up",
    ];
    for i in 0..40 {
        monkey.push_str(&format!(
            "{},4000,{},{},{},{},{},{},{},{}\n",
            1140 + i,
            obstacles[i % 4],
            levels[i % 4],
            levels[(i / 4) % 4],
            satisfied[(i / 2) % 4],
            satisfied[(i / 3) % 4],
            if i % 3 == 0 { "Fresh" } else { "" },
            if i % 5 < 2 { "Household" } else { "" },
            if i % 7 == 0 { "pet food" } else { "" },
        ));
        qualtrics.push_str(&format!(
            "2026-10-{:02} 09:00:00,{},100,True,R_{i:04},{},{},{}\n",
            1 + i % 28,
            if i % 10 == 0 {
                "Survey Preview"
            } else {
                "IP Address"
            },
            obstacles[i % 4],
            1 + i % 5,
            1 + (i / 3) % 5,
        ));
    }
    check(
        &monkey,
        expect![[r#"
            Respondent ID: identifier · Not used · numbers with an identifier's header → identifies records; used only to join files
            Collector ID: one value only · Not used · the same value in every row → cannot tell people apart
            What gets in the way?: category · What they say · 4 different values → a survey answer: what people say
            How important is each of these to you? — Get my delivery on time: ordered scale · What they say · ordered answers from “not at all important” to “extremely important” → how people rate what matters to them
            How important is each of these to you? — Find food for my diet: ordered scale · What they say · ordered answers from “not at all important” to “extremely important” → how people rate what matters to them
            How satisfied are you with each? — Get my delivery on time: ordered scale · What they say · ordered answers from “very dissatisfied” to “very satisfied” → how people rate what matters to them
            How satisfied are you with each? — Find food for my diet: ordered scale · What they say · ordered answers from “very dissatisfied” to “very satisfied” → how people rate what matters to them
            Which of these do you buy from us? (Select all that apply) — Fresh: yes / no · What they say · ticked or blank → a survey answer: what people say
            Which of these do you buy from us? (Select all that apply) — Household: yes / no · What they say · ticked or blank → a survey answer: what people say
            Which of these do you buy from us? (Select all that apply) — Other (please specify): one value only · Not used · the same value in every row → cannot tell people apart
            outcome “Get my delivery on time”: importance=3 satisfaction=5
            outcome “Find food for my diet”: importance=4 satisfaction=6
        "#]],
    );
    let mut google = String::from(
        "Timestamp,How important is each of these to you? [Get my delivery on time],How satisfied are you with each? [Get my delivery on time],Which of these do you buy from us?\n",
    );
    for i in 0..40 {
        google.push_str(&format!(
            "2026/10/{:02} 9:00:00 AM GMT,{},{},\"{}\"\n",
            1 + i % 28,
            1 + i % 5,
            1 + (i / 3) % 5,
            ["Fresh, Bakery", "Fresh", "Household, Fresh", "Bakery"][i % 4]
        ));
    }
    check(
        &google,
        expect![[r#"
            Timestamp: date and time · Not used · dates, each written year first or with its month named, so in one order only → when and how the survey was filled in, not what anyone said or did
            How important is each of these to you? [Get my delivery on time]: rating 1–5 · What they say · whole numbers 1–5 with a rating word in the header → how people rate what matters to them
            How satisfied are you with each? [Get my delivery on time]: rating 1–5 · What they say · whole numbers 1–5 with a rating word in the header → how people rate what matters to them
            Which of these do you buy from us?: multiple choice · What they say · several choices per cell, separated by “,” → a survey answer: what people say
            outcome “Get my delivery on time”: importance=1 satisfaction=2
        "#]],
    );
    check(
        &qualtrics,
        expect![[r#"
            Start Date: date and time · Not used · dates, each written year first or with its month named, so in one order only → when and how the survey was filled in, not what anyone said or did
            Response Type: category · Not used · 2 different values → when and how the survey was filled in, not what anyone said or did
            Progress: one value only · Not used · the same value in every row → cannot tell people apart
            Finished: one value only · Not used · the same value in every row → cannot tell people apart
            Response ID: identifier · Not used · an identifier's header with mostly distinct values → identifies records; used only to join files
            What gets in the way?: category · What they say · 4 different values → a survey answer: what people say
            How important is it to you to... - get my delivery on time: rating 1–5 · What they say · whole numbers 1–5 with a rating word in the header → how people rate what matters to them
            How satisfied are you with how well we... - get my delivery on time: rating 1–5 · What they say · whole numbers 1–5 with a rating word in the header → how people rate what matters to them
            outcome “get my delivery on time”: importance=6 satisfaction=7
        "#]],
    );
}

/// A CRM's and a payment processor's exports as they come (HubSpot's contacts, Stripe's
/// customers, Shopify's customers): counts named by what they count are counts, even of
/// sales or refunds; who at the company owns the contact and the payment card's details
/// describe people and form no segment; an address's country is a place, not a street.
#[test]
fn a_crms_and_a_payment_processors_columns_are_read_as_what_they_hold() {
    let mut csv = String::from(
        "Customer ID,Total Orders,Total Spent,Number of Sales Activities,Order Value,Refunds count,Contact owner,Card Brand,Card Exp Year,Card Address Country,Billing Address1\n",
    );
    for i in 0..40 {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{} Main Street\n",
            1000 + i,
            1 + i % 9,
            10 + 23 * i,
            i % 13,
            20 + i % 70,
            i % 4,
            ["Sam Ortiz", "Kim Lee"][i % 2],
            ["Visa", "MasterCard", "American Express"][i % 3],
            2026 + i % 6,
            ["US", "GB"][i % 2],
            10 + i,
        ));
    }
    check(
        &csv,
        expect![[r#"
            Customer ID: identifier · Not used · numbers with an identifier's header → identifies records; used only to join files
            Total Orders: count · What they do · whole numbers 1–9 → recorded activity: what people do
            Total Spent: money · What they do · amounts of money → recorded activity: what people do
            Number of Sales Activities: count · What they do · whole numbers 0–12 → recorded activity: what people do
            Order Value: money · What they do · amounts of money → recorded activity: what people do
            Refunds count: count · What they do · whole numbers 0–3 → recorded activity: what people do
            Contact owner: category · Who they are · 2 different values → how your company keeps their account (who looks after it, their payment card): describes segments, never forms them
            Card Brand: category · Who they are · 3 different values → how your company keeps their account (who looks after it, their payment card): describes segments, never forms them
            Card Exp Year: count · Who they are · whole numbers 2026–2031 → how your company keeps their account (who looks after it, their payment card): describes segments, never forms them
            Card Address Country: category · Who they are · 2 different values → a demographic: describes segments, never forms them
            Billing Address1: street address · Not used · street addresses → personal data: never used, masked on screen, kept in the export
        "#]],
    );
}

/// Mailchimp's audience export: where someone is (latitude, longitude, time zone, offsets
/// from GMT, the country's code) describes them, as a country does, and its member rating
/// (stars from opens and clicks) is what they do, not a rating they gave. "cc" counting the
/// people copied on an email stays a count.
#[test]
fn a_mailing_lists_locations_describe_people_and_its_member_rating_is_what_they_do() {
    let mut csv = String::from("MEMBER_RATING,LATITUDE,LONGITUDE,GMTOFF,TIMEZONE,CC,cc copied\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "{},{:.4},{:.4},{},{},{},{}\n",
            1 + i % 5,
            40.7 + f64::from(i) * 0.01,
            -74.0 - f64::from(i) * 0.02,
            [-5, 0][i as usize % 2],
            ["America/New_York", "Europe/London"][i as usize % 2],
            ["US", "GB"][i as usize % 2],
            i % 4,
        ));
    }
    check(
        &csv,
        expect![[r#"
            MEMBER_RATING: rating 1–5 · What they do · whole numbers 1–5 with a rating word in the header → a score your mailing or CRM tool gives for how they engage: what people do
            LATITUDE: number · Who they are · decimal numbers → a demographic: describes segments, never forms them
            LONGITUDE: number · Who they are · decimal numbers → a demographic: describes segments, never forms them
            GMTOFF: count · Who they are · whole numbers -5–0 → a demographic: describes segments, never forms them
            TIMEZONE: category · Who they are · 2 different values → a demographic: describes segments, never forms them
            CC: category · Who they are · 2 different values → a demographic: describes segments, never forms them
            cc copied: count · What they do · whole numbers 0–3 → recorded activity: what people do
        "#]],
    );
    let mut email = String::from("cc,exclaim\n");
    for i in 0..40 {
        email.push_str(&format!("{},{}\n", i % 6, i % 3));
    }
    check(
        &email,
        expect![[r#"
            cc: count · What they do · whole numbers 0–5 → recorded activity: what people do
            exclaim: count · What they do · whole numbers 0–2 → recorded activity: what people do
        "#]],
    );
}

/// An Edgewise export dropped again carries an earlier run's results: its segment's name and
/// edge score describe the new segments, its segment id and reasons are not used (the
/// reasons were read as what people say). A tool's own "Segment" is an earlier segmentation;
/// the browser and system someone uses describe them.
#[test]
fn an_earlier_runs_results_and_a_tools_segments_describe_the_new_segments() {
    let mut csv =
        String::from("Orders,Segment,Browser,OS,segment,segment_name,edge_score,reason\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{},{},{},{},S{},{},0.{},In S{} “x”: Orders {}\n",
            1 + i % 6,
            ["Active", "Slipping away"][i % 2],
            ["chrome", "safari"][i % 2],
            ["Windows", "iOS", "OS X"][i % 3],
            1 + i % 3,
            ["weekly shop", "budget", "top-up"][i % 3],
            10 + i,
            1 + i % 3,
            1 + i % 6,
        ));
    }
    check(
        &csv,
        expect![[r#"
            Orders: count · What they do · whole numbers 1–6 → recorded activity: what people do
            Segment: category · Who they are · 2 different values → an earlier segmentation: describes the new segments, never forms them
            Browser: category · Who they are · 2 different values → the device or browser they use: describes segments, never forms them
            OS: category · Who they are · 3 different values → the device or browser they use: describes segments, never forms them
            segment: category · Not used · 3 different values → an earlier Edgewise run's result (its segment's name and edge score describe the new segments)
            segment_name: category · Who they are · 3 different values → an earlier Edgewise run's result: describes the new segments, never forms them
            edge_score: number · Who they are · decimal numbers → an earlier Edgewise run's result: describes the new segments, never forms them
            reason: free text · Not used · free text, 5 words on average → an earlier Edgewise run's result (its segment's name and edge score describe the new segments)
        "#]],
    );
}

/// Typeform names a column of one option by the option and writes it where it was chosen;
/// a column of one value that is not the option its header names stays one value.
#[test]
fn a_column_holding_the_option_its_header_names_is_ticked_or_blank() {
    let mut csv = String::from("Orders,Fresh,Country,Eco packaging,Tags\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            1 + i % 6,
            if i % 3 == 0 { "Fresh" } else { "" },
            if i % 4 == 0 { "UK" } else { "" },
            if i % 2 == 0 { "yes" } else { "no" },
            if i % 5 == 0 { "VIP" } else { "" },
        ));
    }
    check(
        &csv,
        expect![[r#"
            Orders: count · What they do · whole numbers 1–6 → recorded activity: what people do
            Fresh: yes / no · What they do · ticked or blank → recorded activity: what people do
            Country: one value only · Not used · the same value in every row → cannot tell people apart
            Eco packaging: yes / no · What they do · two values meaning yes and no → recorded activity: what people do
            Tags: yes / no · What they do · ticked or blank → recorded activity: what people do
        "#]],
    );
}

/// A column that says what an earlier one says row by row is used once: a product's SKU
/// beside its name, the same timestamp under "Created at" and "Paid at", a count in other
/// units. Columns of values each of their own, a number that merely takes as many values as
/// a label, and a number in another order are kept.
#[test]
fn a_column_that_repeats_an_earlier_one_row_by_row_is_used_once() {
    let mut csv = String::from(
        "Product,SKU,Created at,Paid at,Visits,Visit minutes,Score,Spend,Store,Store staff\n",
    );
    let products = ["Espresso", "Filter papers", "Grinder", "Gift box"];
    let skus = ["COF-ESP", "ACC-V60", "EQP-GRD", "GFT-BOX"];
    let sizes = ["40", "10", "30", "20"];
    for i in 0..60usize {
        let day = format!("2026-10-{:02} 09:{:02}:00", 1 + i % 28, i % 7);
        csv.push_str(&format!(
            "{},{},{day},{day},{},{},{},{},{},{}\n",
            products[i % 4],
            skus[i % 4],
            1 + i % 5,
            15 * (1 + i % 5),
            (i * 37) % 101,
            (i * 53) % 97,
            ["Leeds", "York", "Hull", "Bath"][i % 4],
            sizes[(i + 1) % 4],
        ));
    }
    let (schema, _) = schema_of(&csv);
    let role = |name: &str| {
        let c = schema.columns.iter().find(|c| c.name == name).expect(name);
        (c.role, c.reason.contains("the same as"))
    };
    assert_eq!(role("Product"), (Role::Behaviour, false));
    assert_eq!(role("SKU"), (Role::Ignore, true));
    assert_eq!(role("Created at"), (Role::Behaviour, false));
    assert_eq!(role("Paid at"), (Role::Ignore, true));
    assert_eq!(role("Visits"), (Role::Behaviour, false));
    assert_eq!(role("Visit minutes"), (Role::Ignore, true));
    // All but distinct: one to one with each other, but not the same cells.
    assert_eq!(role("Score"), (Role::Behaviour, false));
    assert_eq!(role("Spend"), (Role::Behaviour, false));
    // A label and a number of the store: not compared.
    assert_eq!(role("Store staff"), (Role::Behaviour, false));
    let reason = &schema.columns[1].reason;
    assert!(
        reason.ends_with("the same as “Product” row by row: used once, as “Product”"),
        "{reason}"
    );
}

/// A column of a grid's row or a question's option splits into its question and option only
/// where a question comes first: units and scales in brackets or after a dash are not
/// options.
#[test]
fn a_grids_row_is_told_from_a_unit_or_a_scale() {
    use super::read::question_and_option;
    assert_eq!(
        question_and_option("How important is each of these to you? [Delivery on time]"),
        Some(("How important is each of these to you?", "Delivery on time"))
    );
    assert_eq!(
        question_and_option("How satisfied are you with each? — Find food for my diet"),
        Some(("How satisfied are you with each?", "Find food for my diet"))
    );
    assert_eq!(
        question_and_option("Satisfaction with delivery [1 = low, 5 = high]"),
        None
    );
    assert_eq!(question_and_option("Weight [kg]"), None);
    assert_eq!(question_and_option("Total spend - last 12 months"), None);
}

/// An NPS tool's export (Delighted): its "Comment" is what people say even when the same
/// sentences come back many times (40 sentences among 400 answers were read as 40
/// categories of what people do); a short label under such a header stays a category, and
/// long labels under another header, a label about the review ("Review status") and a
/// message sent to people ("Last message") too.
#[test]
fn sentences_under_a_comment_header_are_free_text_however_often_they_come_back() {
    let sentences = [
        "My order arrived a week late again",
        "The app crashes every time I try to check out",
        "Your support team sorted my problem in minutes",
        "Prices went up a lot since last year",
        "Great quality products, always fresh",
    ];
    let mut csv =
        String::from("Score,Comment,Review label,Delivery option,Review status,Last message\n");
    for i in 0..400 {
        csv.push_str(&format!(
            "{},\"{}\",{},{},{},{}\n",
            i % 11,
            sentences[i % 5],
            ["good", "bad"][i % 2],
            [
                "Next day before noon by courier",
                "Standard delivery within five days",
                "Collect from a pick-up point near me",
            ][i % 3],
            [
                "Awaiting moderation by the team",
                "Published on the product page"
            ][i % 2 * (i % 7) / 6],
            [
                "Your order is on its way",
                "Black Friday starts now",
                "We miss you"
            ][i / 2 % 3],
        ));
    }
    check(
        &csv,
        expect![[r#"
            Score: rating 0–10 · What they say · whole numbers 0–10 with a rating word in the header → how people rate what matters to them
            Comment: free text · What they say · free text, 8 words on average → what people say in their own words
            Review label: category · What they do · 2 different values → recorded activity: what people do
            Delivery option: category · What they do · 3 different values → recorded activity: what people do
            Review status: category · What they do · 2 different values → recorded activity: what people do
            Last message: category · What they do · 3 different values → recorded activity: what people do
        "#]],
    );
}
