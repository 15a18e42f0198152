//! What can be wrong with an answer, said in the respondent's language.

use std::fmt;

use crate::kernel::Lang;

/// A problem with the answer to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerProblem {
    /// The question id (or the unknown key as given).
    pub question: String,
    pub kind: ProblemKind,
}

/// The kinds of problem, each with a message in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    UnknownQuestion,
    WrongType,
    UnknownChoice(String),
    OutOfRange {
        min: String,
        max: String,
    },
    TooLong(usize),
    ControlCharacters,
    Required,
    SpecifyMissing,
    Exclusive(String),
    UnknownArea(String),
    UnknownSection(String),
    InvalidCode(String),
    /// A dependent branch's tax code where the enterprise's own is asked.
    BranchCode(String),
    Length {
        min: u64,
        max: u64,
    },
    Fixed,
    /// An answer that comes from the business register of an invited organisation.
    FromRegister,
}

impl AnswerProblem {
    /// A problem with the answer to `question`.
    pub fn new(question: &str, kind: ProblemKind) -> AnswerProblem {
        AnswerProblem { question: question.to_string(), kind }
    }

    /// The problem in `lang`, without the question id.
    pub fn message(&self, lang: Lang) -> String {
        use ProblemKind as K;
        match (lang, &self.kind) {
            (Lang::Vi, K::UnknownQuestion) => "không có câu hỏi này trong phiếu".into(),
            (Lang::En, K::UnknownQuestion) => {
                "there is no such question in this questionnaire".into()
            }
            (Lang::Vi, K::WrongType) => "câu trả lời không đúng dạng của câu hỏi".into(),
            (Lang::En, K::WrongType) => "the answer is not of the kind this question takes".into(),
            (Lang::Vi, K::UnknownChoice(c)) => {
                format!("'{c}' không phải là một lựa chọn của câu hỏi")
            }
            (Lang::En, K::UnknownChoice(c)) => {
                format!("'{c}' is not one of the question's choices")
            }
            (Lang::Vi, K::OutOfRange { min, max }) => {
                format!("giá trị phải nằm trong khoảng {min} đến {max}")
            }
            (Lang::En, K::OutOfRange { min, max }) => {
                format!("the value must be between {min} and {max}")
            }
            (Lang::Vi, K::TooLong(n)) => format!("tối đa {n} ký tự"),
            (Lang::En, K::TooLong(n)) => format!("at most {n} characters"),
            (Lang::Vi, K::ControlCharacters) => "văn bản chứa ký tự điều khiển không hợp lệ".into(),
            (Lang::En, K::ControlCharacters) => "the text contains control characters".into(),
            (Lang::Vi, K::Required) => "câu hỏi này bắt buộc trả lời".into(),
            (Lang::En, K::Required) => "this question must be answered".into(),
            (Lang::Vi, K::SpecifyMissing) => "vui lòng ghi rõ lựa chọn \"Khác\"".into(),
            (Lang::En, K::SpecifyMissing) => "please specify the \"other\" choice".into(),
            (Lang::Vi, K::Exclusive(c)) => {
                format!("lựa chọn '{c}' không thể chọn cùng lựa chọn khác")
            }
            (Lang::En, K::Exclusive(c)) => format!("choice '{c}' cannot be combined with others"),
            (Lang::Vi, K::UnknownArea(c)) => {
                format!("'{c}' không phải là mã phường/xã trong danh mục")
            }
            (Lang::En, K::UnknownArea(c)) => {
                format!("'{c}' is not a ward/commune code of the list")
            }
            (Lang::Vi, K::UnknownSection(c)) => {
                format!("'{c}' không phải là một ngành cấp 1 trong danh sách của câu hỏi")
            }
            (Lang::En, K::UnknownSection(c)) => {
                format!("'{c}' is not one of the question's VSIC sections")
            }
            (Lang::Vi, K::InvalidCode(c)) => {
                format!(
                    "'{c}' không phải là mã số thuế hợp lệ (10 chữ số, hoặc 10 chữ số-3 chữ số)"
                )
            }
            (Lang::En, K::InvalidCode(c)) => {
                format!("'{c}' is not a valid tax code (10 digits, or 10 digits-3 digits)")
            }
            (Lang::Vi, K::BranchCode(c)) => format!(
                "'{c}' là mã số thuế của chi nhánh phụ thuộc; xin nhập mã số thuế 10 chữ số của doanh nghiệp"
            ),
            (Lang::En, K::BranchCode(c)) => format!(
                "'{c}' is a dependent branch's tax code; please enter the enterprise's own 10-digit code"
            ),
            (Lang::Vi, K::Length { min, max }) => format!("cần từ {min} đến {max} ký tự"),
            (Lang::En, K::Length { min, max }) => format!("between {min} and {max} characters"),
            (Lang::Vi, K::Fixed) => {
                "không thể thay đổi sau khi đã bắt đầu phiếu; nếu cần, hãy bắt đầu một phiếu mới"
                    .into()
            }
            (Lang::En, K::Fixed) => {
                "cannot be changed once the response is started; start a new one if needed".into()
            }
            (Lang::Vi, K::FromRegister) => {
                "lấy từ danh sách các đơn vị được mời của đợt khảo sát và không thể sửa ở đây; nếu sai, vui lòng báo cho đơn vị quản lý khảo sát"
                    .into()
            }
            (Lang::En, K::FromRegister) => {
                "comes from the survey's register of invited organisations and cannot be changed here; if it is wrong, please tell the survey office"
                    .into()
            }
        }
    }
}

impl fmt::Display for AnswerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.question, self.message(Lang::En))
    }
}
