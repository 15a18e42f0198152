//! Enterprise size classes of Decree 80/2021/NĐ-CP, Article 5, with the limits as data.

use serde::{Deserialize, Serialize};

use super::codes::VsicSection;

/// Size class of an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizeClass {
    Micro,
    Small,
    Medium,
    Large,
}

impl SizeClass {
    /// All classes, smallest first.
    pub const ALL: [SizeClass; 4] =
        [SizeClass::Micro, SizeClass::Small, SizeClass::Medium, SizeClass::Large];

    /// The name used in files and exports.
    pub fn as_str(self) -> &'static str {
        match self {
            SizeClass::Micro => "micro",
            SizeClass::Small => "small",
            SizeClass::Medium => "medium",
            SizeClass::Large => "large",
        }
    }

    /// Parses `micro`, `small`, `medium` or `large`.
    pub fn parse(name: &str) -> Option<SizeClass> {
        SizeClass::ALL.into_iter().find(|c| c.as_str() == name.trim())
    }
}

/// The limits of one class for one sector group; amounts in billion VND.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SizeLimit {
    pub class: SizeClass,
    pub max_employees: u64,
    pub max_revenue: f64,
    pub max_capital: f64,
}

/// The size rules: which sections count as "agriculture, industry and construction", and the
/// limits of micro, small and medium for both sector groups (anything above is large).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SizeRules {
    pub source: String,
    pub industry_sections: Vec<VsicSection>,
    pub industry: Vec<SizeLimit>,
    pub services: Vec<SizeLimit>,
}

/// An amount known only up to a bound, such as a revenue band: `AtMost(x)`, or above every
/// bound offered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    AtMost(f64),
    Unbounded,
}

impl Amount {
    fn within(self, limit: f64) -> bool {
        matches!(self, Amount::AtMost(x) if x <= limit)
    }
}

impl SizeRules {
    /// The class of an enterprise: the smallest whose employee limit holds and whose revenue
    /// or capital limit holds (Decree 80/2021, Art. 5).
    pub fn classify(
        &self,
        section: VsicSection,
        employees: u64,
        revenue: Amount,
        capital: Amount,
    ) -> SizeClass {
        let limits =
            if self.industry_sections.contains(&section) { &self.industry } else { &self.services };
        limits
            .iter()
            .find(|l| {
                employees <= l.max_employees
                    && (revenue.within(l.max_revenue) || capital.within(l.max_capital))
            })
            .map_or(SizeClass::Large, |l| l.class)
    }

    /// Problems with the rules, if any: each group must list micro, small and medium once, in
    /// that order, with limits that do not shrink.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (name, limits) in [("industry", &self.industry), ("services", &self.services)] {
            let classes: Vec<SizeClass> = limits.iter().map(|l| l.class).collect();
            if classes != [SizeClass::Micro, SizeClass::Small, SizeClass::Medium] {
                problems.push(format!("[[{name}]] must list micro, small and medium, in order"));
            }
            for pair in limits.windows(2) {
                if pair[1].max_employees < pair[0].max_employees
                    || pair[1].max_revenue < pair[0].max_revenue
                    || pair[1].max_capital < pair[0].max_capital
                {
                    problems.push(format!(
                        "[[{name}]]: the limits of {} are below those of {}",
                        pair[1].class.as_str(),
                        pair[0].class.as_str()
                    ));
                }
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> SizeRules {
        toml::from_str(include_str!("../../surveys/reference/size_classes.toml")).unwrap()
    }

    fn section(code: &str) -> VsicSection {
        VsicSection::parse(code).unwrap()
    }

    #[test]
    fn the_shipped_rules_are_consistent() {
        assert_eq!(rules().problems(), Vec::<String>::new());
    }

    #[test]
    fn classifies_by_employees_and_revenue_or_capital() {
        let rules = rules();
        let c = section("C");
        let g = section("G");
        // Manufacturing: 8 people, revenue up to 3 bn -> micro.
        assert_eq!(rules.classify(c, 8, Amount::AtMost(3.0), Amount::Unbounded), SizeClass::Micro);
        // Same revenue in trade and services is still micro (limit 10).
        assert_eq!(rules.classify(g, 8, Amount::AtMost(10.0), Amount::Unbounded), SizeClass::Micro);
        // Revenue 10 bn in manufacturing exceeds micro (3) but capital 3 bn saves it.
        assert_eq!(
            rules.classify(c, 8, Amount::AtMost(10.0), Amount::AtMost(3.0)),
            SizeClass::Micro
        );
        assert_eq!(
            rules.classify(c, 8, Amount::AtMost(10.0), Amount::AtMost(20.0)),
            SizeClass::Small
        );
        // 60 employees: small in manufacturing (100), medium in services (small limit is 50).
        assert_eq!(
            rules.classify(c, 60, Amount::AtMost(50.0), Amount::Unbounded),
            SizeClass::Small
        );
        assert_eq!(
            rules.classify(g, 60, Amount::AtMost(50.0), Amount::Unbounded),
            SizeClass::Medium
        );
        // Above every limit: large.
        assert_eq!(
            rules.classify(g, 150, Amount::AtMost(10.0), Amount::AtMost(3.0)),
            SizeClass::Large
        );
        assert_eq!(rules.classify(c, 5, Amount::Unbounded, Amount::Unbounded), SizeClass::Large);
    }
}
