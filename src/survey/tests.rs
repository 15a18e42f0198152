//! The loader reports every problem of a file, each where it is.

use super::*;

fn problems(source: &str) -> Vec<Problem> {
    parse(source, "broken.toml").expect_err("the file is invalid").problems
}

/// The problem whose message contains `needle`, with its line and item.
fn find<'a>(problems: &'a [Problem], needle: &str) -> &'a Problem {
    problems
        .iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}; got:\n{}", list(problems)))
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}

#[test]
fn every_mistake_of_a_broken_file_is_reported_with_line_and_item() {
    let source = include_str!("../../tests/fixtures/broken/broken.toml");
    let found = problems(source);
    let line_of_text = |text: &str| {
        source.lines().position(|l| l.contains(text)).map(|i| i + 1).expect("text in fixture")
    };

    let missing = find(&found, "`observation_period` has no English (en) text");
    assert_eq!(missing.item, None);
    assert_eq!(missing.line, Some(line_of_text("observation_period =")));

    let weight = find(&found, "`weight` must be a positive number, not 0");
    assert_eq!(weight.item.as_deref(), Some("dimension 'strategy'"));
    assert_eq!(weight.line, Some(line_of_text("weight = 0")));

    let duplicate = find(&found, "id 'strategy' is already used by dimension 'strategy'");
    assert_eq!(duplicate.line, Some(line_of_text("title = { vi = \"Trùng\"") - 1));

    let level = find(&found, "level bounds must ascend");
    assert_eq!(level.item.as_deref(), Some("level 'high'"));

    let unknown_key = find(&found, "unknown field `lable`");
    assert_eq!(unknown_key.item.as_deref(), Some("question 'name'"));
    assert_eq!(unknown_key.line, Some(line_of_text("lable =")));

    let later = find(&found, "'later' is not asked before this question");
    assert_eq!(later.item.as_deref(), Some("question 'plan'"));
    assert_eq!(later.line, Some(line_of_text("show_if = \"later")));

    find(&found, "a single_choice question needs `choices`");
    find(&found, "question 'later' has no choice 'maybe'");
    find(&found, "no question 'nothing'");
    find(&found, "'na' is reserved");
    let unasked = find(&found, "missing `message`");
    assert_eq!(unasked.item.as_deref(), Some("check 'odd_plan'"));
    find(&found, "'dk' is reserved for \"don't know\"");
    find(&found, "`steps` has 2 descriptors");
    find(&found, "'has' applies to multiple-choice questions, but 'later' is a yes_no question");
    find(&found, "needs a question with role 'tax_code'");

    for problem in &found {
        assert_eq!(problem.file, "broken.toml");
    }
    assert!(found.len() >= 14, "expected every problem, got:\n{}", list(&found));
}

#[test]
fn a_toml_syntax_error_is_located() {
    let found = problems("id = \"x\"\nversion = 1\ntitle = { vi = \"a\", en = }\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, Some(3));
}

#[test]
fn a_toml_syntax_error_names_the_item_whose_block_holds_it() {
    let source = "id = \"x\"\nversion = 1\n\n[[dimensions]]\nid = \"people\"\n\n[[questions]]\nid = \"q7\"\nlabel = { vi = \"a\", en = }\n";
    let found = problems(source);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, Some(9));
    assert_eq!(found[0].item.as_deref(), Some("question 'q7'"), "{}", list(&found));
    let top = problems("id = \"x\"\nversion = 1\ntitle = { vi = \"a\", en = }\n");
    assert_eq!(top[0].item, None, "a top-level line belongs to no item");
}

#[test]
fn an_unknown_top_level_key_is_an_error() {
    let found = problems("id = \"x\"\nversoin = 2\n");
    assert!(found[0].message.contains("unknown field `versoin`"), "{}", list(&found));
    assert_eq!(found[0].line, Some(2));
}

#[test]
fn the_shipped_questionnaires_load() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("surveys");
    let loaded = load_paths(&[dir]).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = loaded.iter().map(|f| f.survey.id.as_str()).collect();
    assert!(ids.contains(&"enterprise-dx") && ids.contains(&"agency-dx"), "{ids:?}");
}

mod experiments {
    use super::*;

    const ENTERPRISE: &str = include_str!("../../surveys/archive/enterprise-dx.v1.toml");

    fn with_experiment(experiment: &str) -> Result<Survey, LoadError> {
        parse(&format!("{ENTERPRISE}\n{experiment}"), "experiment.toml")
    }

    const INNOVATION_FIRST: &str = r#"
[experiment]
id = "module_order"
title = { vi = "Thứ tự các phần", en = "Order of the modules" }

[[experiment.arms]]
id = "as_filed"
label = { vi = "Như trong tệp", en = "As filed" }

[[experiment.arms]]
id = "innovation_first"
label = { vi = "Đổi mới sáng tạo ngay sau thông tin chung", en = "Innovation right after the profile" }
order = ["profile", "innovation", "customer", "strategy", "technology", "operations", "culture", "data"]

[[experiment.arms.wordings]]
question = "product_goods"
label = { vi = "Trong giai đoạn {period_start}–{period_end}, doanh nghiệp có đưa vào sử dụng hàng hóa mới không?", en = "Between {period_start} and {period_end}, did the enterprise make a new good available?" }
"#;

    #[test]
    fn an_arm_puts_the_pages_in_its_order_and_its_wordings_in_place() {
        let survey = with_experiment(INNOVATION_FIRST).unwrap_or_else(|e| panic!("{e}"));
        let experiment = survey.experiment.as_ref().expect("declared");
        assert_eq!(experiment.arms.len(), 2);
        let filed = survey.for_arm(0);
        let last = survey.for_arm(1);
        let homes = |s: &Survey| s.pages.iter().map(|p| p.home).collect::<Vec<_>>();
        assert_eq!(homes(&filed), homes(&survey), "the first arm keeps the file's order");
        assert_eq!(last.pages.get(1), survey.pages.last(), "innovation moved up");
        assert_eq!(last.pages[0], survey.pages[0], "the profile stays first");
        assert_eq!(last.pages[2], survey.pages[1], "the rest follow in the file's order");
        let q = survey.question_idx("product_goods").unwrap();
        assert_eq!(filed.questions[q].label.en, survey.questions[q].label.en);
        assert!(last.questions[q].label.en.contains("make a new good available"));
        // Placeholders of a wording are filled like any text.
        let period = crate::survey::period::Period { ref_year: 2025 };
        assert!(last.in_period(period).questions[q].label.en.contains("Between 2023 and 2025"));
        // Every question is still on exactly one page.
        let mut on_pages: Vec<usize> =
            last.pages.iter().flat_map(|p| p.questions.clone()).collect();
        on_pages.sort_unstable();
        assert_eq!(on_pages, (0..survey.questions.len()).collect::<Vec<_>>());
    }

    #[test]
    fn a_check_moves_to_the_page_of_its_last_question_in_the_arm_order() {
        let check = r#"
[[checks]]
id = "innovation_without_software"
when = "product_goods == 'yes' and online_sales == 'no'"
message = { vi = "Kiểm tra", en = "Check" }
"#;
        let order = INNOVATION_FIRST.replace("[experiment]", &format!("{check}\n[experiment]"));
        let survey = with_experiment(&order).unwrap_or_else(|e| panic!("{e}"));
        let page_of = |s: &Survey, q: usize| s.pages.iter().position(|p| p.questions.contains(&q));
        let goods = survey.question_idx("product_goods").unwrap();
        let sales = survey.question_idx("online_sales").unwrap();
        let check = survey.checks.iter().find(|c| c.id == "innovation_without_software").unwrap();
        assert_eq!(check.last_question, goods, "innovation comes after sales in the file");
        let first = survey.for_arm(1);
        assert!(page_of(&first, goods) < page_of(&first, sales));
        let moved = first.checks.iter().find(|c| c.id == "innovation_without_software").unwrap();
        assert_eq!(moved.last_question, sales, "asked where the sales question is answered");
        let filed = survey.for_arm(0);
        let kept = filed.checks.iter().find(|c| c.id == "innovation_without_software").unwrap();
        assert_eq!(kept.last_question, goods);
    }

    #[test]
    fn mistakes_in_an_experiment_are_reported_with_their_arm() {
        let broken = r#"
[experiment]
id = "Order"

[[experiment.arms]]
id = "a"
label = { vi = "A", en = "A" }
order = ["profile", "innovation", "customer", "nowhere", "customer"]

[[experiment.arms.wordings]]
question = "no_such_question"
label = { vi = "X", en = "X" }

[[experiment.arms.wordings]]
question = "product_goods"
"#;
        let found = with_experiment(broken).expect_err("invalid").problems;
        find(&found, "experiment id 'Order' must be lower-case");
        find(&found, "missing `title`");
        find(&found, "at least two [[experiment.arms]]");
        let nowhere = find(&found, "`order` names 'nowhere', which is no section or dimension");
        assert_eq!(nowhere.item.as_deref(), Some("arm 'a'"));
        assert!(nowhere.line.is_some());
        find(&found, "`order` names 'customer' twice");
        find(&found, "'no_such_question' is no question of this file");
        let empty = find(&found, "a wording gives a `label`, a `help`, or both");
        assert_eq!(empty.item.as_deref(), Some("arm 'a', wording of question 'product_goods'"));
    }

    #[test]
    fn an_order_must_name_every_page_start_with_the_profile_and_keep_conditions_after_their_questions()
     {
        let arms = |order: &str| {
            format!(
                r#"
[experiment]
id = "order"
title = {{ vi = "Thứ tự", en = "Order" }}
[[experiment.arms]]
id = "a"
label = {{ vi = "A", en = "A" }}
[[experiment.arms]]
id = "b"
label = {{ vi = "B", en = "B" }}
order = {order}
"#
            )
        };
        let all = [
            "profile",
            "customer",
            "strategy",
            "technology",
            "operations",
            "culture",
            "data",
            "innovation",
        ];
        let quoted = |ids: &[&str]| {
            format!("[{}]", ids.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", "))
        };
        let found =
            with_experiment(&arms(&quoted(&all[..7]))).expect_err("innovation left out").problems;
        find(&found, "`order` leaves out 'innovation'");
        let mut swapped = all;
        swapped.swap(0, 1);
        let found = with_experiment(&arms(&quoted(&swapped))).expect_err("profile second").problems;
        find(&found, "`order` must start with 'profile'");
        let mut innovation_first = all;
        innovation_first[1..].rotate_right(1);
        let ok = with_experiment(&arms(&quoted(&innovation_first)));
        assert!(ok.is_ok(), "{:?}", ok.err().map(|e| e.to_string()));
        // A question of the innovation page that depends on the sales question cannot be asked
        // before it.
        let dependent = r#"
[[questions]]
id = "innovation_online"
section = "innovation"
type = "yes_no"
label = { vi = "Đổi mới gắn với bán hàng trực tuyến?", en = "Innovation tied to online sales?" }
show_if = "online_sales == 'yes'"
"#;
        let found = with_experiment(&format!("{dependent}{}", arms(&quoted(&innovation_first))))
            .expect_err("condition before its question")
            .problems;
        let problem = find(&found, "question 'innovation_online' comes before 'online_sales'");
        assert_eq!(problem.item.as_deref(), Some("arm 'b'"));
    }
}

mod wave_bounds {
    use super::*;
    use crate::survey::period::Period;

    const ENTERPRISE: &str = include_str!("../../surveys/archive/enterprise-dx.v1.toml");

    #[test]
    fn a_bound_named_by_a_placeholder_is_the_waves_year() {
        let source = ENTERPRISE.replacen("max = 2026", "max = \"{ref_year}\"", 1);
        let survey = parse(&source, "t.toml").unwrap_or_else(|e| panic!("{e}"));
        let q = survey.question_idx("year_founded").unwrap();
        let max_of = |s: &Survey| match &s.questions[q].kind {
            QuestionKind::Integer { max, .. } => *max,
            _ => panic!("an integer question"),
        };
        assert_eq!(max_of(&survey), None, "no wave: no year to bound it");
        assert!(survey.has_placeholders());
        assert_eq!(max_of(&survey.in_period(Period { ref_year: 2025 })), Some(2025));
        assert_eq!(max_of(&survey.in_period(Period { ref_year: 2026 })), Some(2026));
    }

    #[test]
    fn a_bound_that_is_no_placeholder_or_on_a_decimal_is_refused() {
        let source = ENTERPRISE.replacen("max = 2026", "max = \"{year}\"", 1);
        let found = problems(&source);
        let p = find(&found, "`max` must be a whole number or one of \"{ref_year}\"");
        assert_eq!(p.item.as_deref(), Some("question 'year_founded'"));
        assert!(p.line.is_some());
    }
}

#[test]
fn questions_the_microdata_could_not_name_or_code_are_refused() {
    let small = include_str!("../../tests/fixtures/small/small.toml");
    let source = small.replace("id = \"a1\"", "id = \"in\"").replace(
        "[[questions]]\nid = \"in\"",
        "[[questions]]\nid = \"staff\"\ndimension = \"a\"\ntype = \"integer\"\nlabel = { vi = \"S\", en = \"S\" }\nmin = -3\n\n[[questions]]\nid = \"count\"\ndimension = \"a\"\ntype = \"decimal\"\nlabel = { vi = \"C\", en = \"C\" }\n\n[[questions]]\nid = \"in\"",
    );
    let found = problems(&source);
    let reserved = find(&found, "question id 'in' is a reserved word of Stata, SPSS or R");
    assert_eq!(reserved.item.as_deref(), Some("question 'in'"));
    let negative = find(&found, "`min` must be 0 or more");
    assert_eq!(negative.item.as_deref(), Some("question 'staff'"));
    let unbounded = found.iter().filter(|p| p.message.contains("`min` must be 0 or more")).count();
    assert_eq!(unbounded, 2, "the decimal without a minimum too:\n{}", list(&found));
}
