//! What figures are broken down by, as types: a breakdown and its groups. Their text forms
//! (`city`, `area_size_class`; `all`, `00070`, `C`, `micro`, `00070:micro`) exist only at the
//! edges, in exports and the API.

use std::fmt;

use crate::reference::{AreaCode, Reference, SizeClass, VsicSection, VsicVersion};
use crate::survey::{Lang, Text};

/// How figures are broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Breakdown {
    City,
    Area,
    VsicSection,
    SizeClass,
    AreaSizeClass,
    AreaSection,
}

impl Breakdown {
    pub const ALL: [Breakdown; 6] = [
        Breakdown::City,
        Breakdown::Area,
        Breakdown::VsicSection,
        Breakdown::SizeClass,
        Breakdown::AreaSizeClass,
        Breakdown::AreaSection,
    ];

    /// The name in exports and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Breakdown::City => "city",
            Breakdown::Area => "area",
            Breakdown::VsicSection => "vsic_section",
            Breakdown::SizeClass => "size_class",
            Breakdown::AreaSizeClass => "area_size_class",
            Breakdown::AreaSection => "area_vsic_section",
        }
    }

    /// The breakdown named `name` in exports and the API.
    pub fn parse(name: &str) -> Option<Breakdown> {
        Breakdown::ALL.into_iter().find(|b| b.as_str() == name)
    }
}

/// One group of a breakdown: the whole population, an area, a section, a size class, or the
/// cross of an area with a section or a size class.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    All,
    Area(AreaCode),
    Section(VsicSection),
    Size(SizeClass),
    AreaSize(AreaCode, SizeClass),
    AreaSection(AreaCode, VsicSection),
}

impl Group {
    /// The breakdown this group belongs to.
    pub fn breakdown(&self) -> Breakdown {
        match self {
            Group::All => Breakdown::City,
            Group::Area(_) => Breakdown::Area,
            Group::Section(_) => Breakdown::VsicSection,
            Group::Size(_) => Breakdown::SizeClass,
            Group::AreaSize(..) => Breakdown::AreaSizeClass,
            Group::AreaSection(..) => Breakdown::AreaSection,
        }
    }

    /// The area of an area group or of a cross with an area.
    pub fn area(&self) -> Option<&AreaCode> {
        match self {
            Group::Area(a) | Group::AreaSize(a, _) | Group::AreaSection(a, _) => Some(a),
            Group::All | Group::Section(_) | Group::Size(_) => None,
        }
    }

    /// The same group without its area: a cross becomes its section or size class, an area
    /// becomes the whole population.
    pub fn without_area(&self) -> Group {
        match self {
            Group::Area(_) => Group::All,
            Group::AreaSize(_, s) => Group::Size(*s),
            Group::AreaSection(_, s) => Group::Section(*s),
            other => other.clone(),
        }
    }

    /// The name of the group as a reader sees it.
    pub fn label(&self, reference: &Reference, vsic: VsicVersion, lang: Lang) -> String {
        let area = |code: &AreaCode| {
            reference.area(code).map_or(code.to_string(), |a| a.name.get(lang).to_string())
        };
        let section = |s: &VsicSection| {
            reference
                .sector(vsic, *s)
                .map_or(s.to_string(), |x| format!("{} – {}", x.section, x.name.get(lang)))
        };
        match self {
            Group::All => Text::new("Toàn thành phố", "Whole city").get(lang).to_string(),
            Group::Area(a) => area(a),
            Group::Section(s) => section(s),
            Group::Size(s) => size_name(*s, lang).to_string(),
            Group::AreaSize(a, s) => format!("{} · {}", area(a), size_name(*s, lang)),
            Group::AreaSection(a, s) => format!("{} · {}", area(a), section(s)),
        }
    }
}

/// The name of a size class in running text ("siêu nhỏ", "micro").
pub fn size_name(size: SizeClass, lang: Lang) -> &'static str {
    match (lang, size) {
        (Lang::Vi, SizeClass::Micro) => "siêu nhỏ",
        (Lang::Vi, SizeClass::Small) => "nhỏ",
        (Lang::Vi, SizeClass::Medium) => "vừa",
        (Lang::Vi, SizeClass::Large) => "lớn",
        (_, other) => other.as_str(),
    }
}

/// The text form used in exports and the API.
impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::All => f.write_str("all"),
            Group::Area(a) => write!(f, "{a}"),
            Group::Section(s) => write!(f, "{s}"),
            Group::Size(s) => f.write_str(s.as_str()),
            Group::AreaSize(a, s) => write!(f, "{a}:{}", s.as_str()),
            Group::AreaSection(a, s) => write!(f, "{a}:{s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_are_those_of_the_exports() {
        let area = AreaCode::parse("00070").unwrap();
        let section = VsicSection::parse("C").unwrap();
        let cases = [
            (Group::All, "all", Breakdown::City),
            (Group::Area(area.clone()), "00070", Breakdown::Area),
            (Group::Section(section), "C", Breakdown::VsicSection),
            (Group::Size(SizeClass::Micro), "micro", Breakdown::SizeClass),
            (
                Group::AreaSize(area.clone(), SizeClass::Large),
                "00070:large",
                Breakdown::AreaSizeClass,
            ),
            (Group::AreaSection(area, section), "00070:C", Breakdown::AreaSection),
        ];
        for (group, text, breakdown) in cases {
            assert_eq!(group.to_string(), text);
            assert_eq!(group.breakdown(), breakdown);
            assert_eq!(Breakdown::parse(breakdown.as_str()), Some(breakdown));
        }
    }

    #[test]
    fn a_cross_without_its_area_is_its_class() {
        let area = AreaCode::parse("00070").unwrap();
        assert_eq!(
            Group::AreaSize(area.clone(), SizeClass::Small).without_area(),
            Group::Size(SizeClass::Small)
        );
        assert_eq!(Group::Area(area).without_area(), Group::All);
    }
}
