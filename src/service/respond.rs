//! Answering a questionnaire: starting a response, opening it with its resume token, saving a
//! page, submitting. The rules of the respondent's flow live here once:
//! - a response can be started, changed and submitted only while its wave is open;
//! - "next" insists on the page's required answers; "save draft", "back", "review" and the
//!   language switch save every valid answer and never insist;
//! - a value of the wrong form is never stored, and the previous answer stays;
//! - the organisation is fixed once started: one response per organisation, per wave and
//!   questionnaire.

use std::net::IpAddr;
use std::sync::Arc;

use time::Date;

use super::benchmarks;
use super::waves::{Availability, availability, in_wave};
use crate::answers::form::{Fields, PageInput, apply_page};
use crate::answers::{AnswerProblem, Answers, ProblemKind};
use crate::app::App;
use crate::assessment::{Assessment, assess};
use crate::auth::SecretToken;
use crate::kernel::{Lang, Text};
use crate::profile::{check, profile};
use crate::response::{decode, draw_arm, new_response};
use crate::store::{self, IdentityCheck, ResponseStatus, StoreError, StoredResponse, Wave};
use crate::survey::{RespondentKind, Role, Survey};

/// Why a respondent's request cannot be carried out.
#[derive(Debug)]
pub enum RespondError {
    /// No such link, wave or questionnaire.
    NotFound,
    /// A form no page of ours sends.
    Foreign,
    /// The wave does not take answers today.
    Closed(Closure),
    /// The organisation already has a response. Whether it is submitted is not said: that
    /// would tell anyone who types a tax code when that organisation submitted.
    Duplicate,
    /// A typed or linked access code that opens nothing.
    UnknownCode,
    /// The wave takes responses only with an access code.
    InvitationOnly,
    /// Too many self-declared starts from one address: seconds to wait.
    TooManyStarts(u64),
    Store(StoreError),
    /// Stored data that does not fit its questionnaire: our fault, logged.
    Internal(String),
}

impl From<StoreError> for RespondError {
    fn from(e: StoreError) -> Self {
        RespondError::Store(e)
    }
}

/// A wave that does not take answers, and why.
#[derive(Debug, Clone)]
pub struct Closure {
    pub wave_title: Text,
    pub availability: Availability,
}

/// What the respondent asked for with the button they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Next,
    SaveDraft,
    Back,
    Review,
    /// The language switch of a page with a form.
    Switch(Lang),
}

impl Intent {
    /// The intent of a form's `action` field; a form without one goes on.
    pub fn of(fields: &Fields) -> Intent {
        let action = fields.iter().find(|(name, _)| name == "action").map(|(_, v)| v.as_str());
        match action {
            Some("save") => Intent::SaveDraft,
            Some("back") => Intent::Back,
            Some("review") => Intent::Review,
            Some(other) => other
                .strip_prefix("lang-")
                .and_then(Lang::parse)
                .map_or(Intent::Next, Intent::Switch),
            None => Intent::Next,
        }
    }

    /// Only "next" stops on a missing required answer.
    pub fn insists_on_required(self) -> bool {
        self == Intent::Next
    }
}

/// A response opened with its resume token.
#[derive(Clone)]
pub struct Opened {
    pub response: StoredResponse,
    pub survey: Arc<Survey>,
    pub answers: Answers,
    pub token: SecretToken,
}

impl Opened {
    pub fn submitted(&self) -> bool {
        self.response.status == ResponseStatus::Submitted
    }

    /// The path of a step of the response under its private link, e.g. `p/2` or `review`.
    pub fn url(&self, rest: &str) -> String {
        format!("/r/{}/{rest}", self.token.as_str())
    }
}

/// Opens the response of a resume token; any token that opens nothing is "not found".
pub fn open(app: &App, token: &str) -> Result<Opened, RespondError> {
    let token = SecretToken::parse(token).ok_or(RespondError::NotFound)?;
    let response = app
        .store
        .read(|c| store::response_by_resume_hash(c, &token.hash()))?
        .filter(|r| r.resume_hash.as_deref().is_some_and(|stored| token.matches_hash(stored)))
        .ok_or(RespondError::NotFound)?;
    let (survey, answers) = decode(app, &response).map_err(RespondError::Internal)?;
    Ok(Opened { response, survey, answers, token })
}

/// Opens a response to show one of its pages: a submitted one as it is (its result is shown),
/// a draft only while its wave takes answers.
pub fn open_to_answer(app: &App, token: &str, today: Date) -> Result<Opened, RespondError> {
    let opened = open(app, token)?;
    if !opened.submitted() {
        ensure_open(app, &opened.response.wave_id, today)?;
    }
    Ok(opened)
}

/// Refuses with [`RespondError::Closed`] unless `wave_id` takes answers on `today`.
pub fn ensure_open(app: &App, wave_id: &str, today: Date) -> Result<(), RespondError> {
    let wave = app.store.read(|c| store::wave(c, wave_id))?.ok_or(RespondError::NotFound)?;
    match availability(&wave, today) {
        Availability::Open => Ok(()),
        other => Err(RespondError::Closed(Closure { wave_title: wave.title, availability: other })),
    }
}

/// The questionnaire `survey_id` of wave `wave_id`, if the wave takes answers on `today`.
pub fn questionnaire_to_start(
    app: &App,
    wave_id: &str,
    survey_id: &str,
    today: Date,
) -> Result<Arc<Survey>, RespondError> {
    open_to_start(app, wave_id, survey_id, today).map(|(_, survey)| survey)
}

/// The wave and its questionnaire `survey_id`, when they take self-declared starts `today`.
fn open_to_start(
    app: &App,
    wave_id: &str,
    survey_id: &str,
    today: Date,
) -> Result<(Wave, Arc<Survey>), RespondError> {
    let wave = app.store.read(|c| store::wave(c, wave_id))?.ok_or(RespondError::NotFound)?;
    let survey = wave
        .questionnaires
        .iter()
        .find(|(id, _)| id == survey_id)
        .and_then(|(id, v)| in_wave(app, &wave, id, *v))
        .ok_or(RespondError::NotFound)?;
    match availability(&wave, today) {
        Availability::Open => {
            super::access::ensure_open_access(&wave, &survey).map(|()| (wave, survey))
        }
        other => Err(RespondError::Closed(Closure { wave_title: wave.title, availability: other })),
    }
}

/// A started response: its private link.
pub struct Started {
    pub token: SecretToken,
}

/// The profile page applied: either the response is started, or what to correct.
pub enum StartOutcome {
    Started(Started),
    Invalid(Vec<AnswerProblem>),
}

/// Starts a self-declared response to questionnaire `survey_id` of `wave_id` from the fields
/// of its first page, when the wave takes answers `today` from anyone (see
/// [`super::access`]). A language switch stores nothing: no response exists before its
/// profile is complete. Returns the questionnaire with the outcome.
pub fn start(
    app: &App,
    wave_id: &str,
    survey_id: &str,
    fields: &Fields,
    from: Option<IpAddr>,
    today: Date,
) -> Result<(Arc<Survey>, StartOutcome), RespondError> {
    let (wave, survey) = open_to_start(app, wave_id, survey_id, today)?;
    if matches!(Intent::of(fields), Intent::Switch(_)) {
        return Ok((survey, StartOutcome::Invalid(Vec::new())));
    }
    let outcome = start_response(app, &survey, &wave, fields, from)?;
    Ok((survey, outcome))
}

fn start_response(
    app: &App,
    survey: &Survey,
    wave: &Wave,
    fields: &Fields,
    from: Option<IpAddr>,
) -> Result<StartOutcome, RespondError> {
    let input =
        apply_page(survey, &survey.pages[0], &Answers::empty(survey), fields, &app.reference)
            .map_err(|_| RespondError::Foreign)?;
    let mut problems = input.problems;
    problems.extend(check(survey, &profile(survey, &input.answers, &app.reference)));
    if !problems.is_empty() {
        return Ok(StartOutcome::Invalid(problems));
    }
    if let Some(address) = from {
        app.limits.starts.check(address).map_err(RespondError::TooManyStarts)?;
    }
    let mut draft =
        new_response(survey, &input.answers, &app.reference, &wave.id, ResponseStatus::Draft);
    draft.origin = super::access::self_declared_origin(wave, survey);
    draft.arm = draw_arm(app, survey);
    let token = SecretToken::generate()
        .map_err(|e| RespondError::Internal(format!("random token: {e}")))?;
    let hash = token.hash();
    let created = app.store.write_batched(move |tx| {
        match store::existing_response(tx, &draft.wave_id, &draft.survey_id, &draft.identity)? {
            Some(_) => Ok(Err(())),
            None => store::insert_response(tx, &draft, Some(&hash)).map(Ok),
        }
    });
    match created {
        Ok(Ok(_)) => Ok(StartOutcome::Started(Started { token })),
        Ok(Err(())) => Err(RespondError::Duplicate),
        // Two starts of the same organisation at the same moment: the other one won.
        Err(StoreError::Conflict(_)) => Err(RespondError::Duplicate),
        Err(e) => Err(e.into()),
    }
}

/// A page saved, or not stored because the response was submitted meanwhile.
pub struct PageSaved {
    /// The answers as stored.
    pub answers: Answers,
    /// Questions this page's answers revealed (see [`PageInput::revealed`]).
    pub revealed: Vec<String>,
    /// What the respondent must correct before the intent is carried out; empty when it can be.
    pub problems: Vec<AnswerProblem>,
    /// False when the response had been submitted meanwhile (nothing changed).
    pub stored: bool,
    /// Answers of this page that seldom go together and that the respondent has not yet said
    /// are right: asked before going on (the answers are saved all the same).
    pub checks: Vec<RaisedCheck>,
}

/// A consistency check put to the respondent (see [`crate::survey::Check`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RaisedCheck {
    pub id: String,
    pub message: Text,
}

/// The checks of page `page` that `answers` raise, but those the respondent confirmed (a
/// `confirm_check` field with the check's id).
fn unconfirmed_checks(
    survey: &Survey,
    answers: &Answers,
    page: usize,
    fields: &Fields,
) -> Vec<RaisedCheck> {
    let confirmed =
        |id: &str| fields.iter().any(|(name, value)| name == "confirm_check" && value == id);
    answers
        .raised_checks(survey, page)
        .into_iter()
        .filter(|c| !confirmed(&c.id))
        .map(|c| RaisedCheck { id: c.id.clone(), message: c.message.clone() })
        .collect()
}

/// Applies the fields of page `page` of an opened draft and stores every valid answer.
pub fn save_page(
    app: &App,
    opened: &Opened,
    page: usize,
    fields: &Fields,
    intent: Intent,
    today: Date,
) -> Result<PageSaved, RespondError> {
    ensure_open(app, &opened.response.wave_id, today)?;
    let survey = &opened.survey;
    let input = apply_page(survey, &survey.pages[page], &opened.answers, fields, &app.reference)
        .map_err(|_| RespondError::Foreign)?;
    let PageInput { mut answers, revealed, mut problems } = input;
    let who = profile(survey, &answers, &app.reference);
    let mut refused = check(survey, &who);
    refused.extend(fixed_identity(opened, page, &answers, &who.identity().unwrap_or_default()));
    for problem in &refused {
        // A profile answer that does not hold keeps what was stored.
        if let Some(i) = survey.question_idx(&problem.question) {
            answers.set(i, opened.answers.get(i).cloned());
        }
    }
    problems.extend(refused);
    if !intent.insists_on_required() {
        problems.retain(|p| p.kind != ProblemKind::Required);
    }
    let draft = new_response(
        survey,
        &answers,
        &app.reference,
        &opened.response.wave_id,
        ResponseStatus::Draft,
    );
    let (id, unit) = (opened.response.id, opened.response.register_unit);
    let stored = app.store.write_batched(move |tx| {
        let mut draft = draft;
        if let Some(unit) = unit {
            super::access::keep_register_stratum(&mut draft, store::register_stratum(tx, unit)?);
        }
        store::update_draft(tx, id, &draft)
    })?;
    crate::metrics::saved();
    let goes_on = matches!(intent, Intent::Next | Intent::Review);
    let checks = if problems.is_empty() && goes_on {
        unconfirmed_checks(survey, &answers, page, fields)
    } else {
        Vec::new()
    };
    Ok(PageSaved { answers, revealed, problems, stored, checks })
}

/// The organisation is fixed once started: its identity is what makes it one response. An
/// invited organisation's answers from the register are fixed too.
fn fixed_identity(
    opened: &Opened,
    page: usize,
    answers: &Answers,
    identity: &str,
) -> Vec<AnswerProblem> {
    let survey = &opened.survey;
    if opened.response.identity_check == IdentityCheck::Verified {
        return super::access::locked_questions(opened)
            .into_iter()
            .filter(|i| survey.pages[page].questions.contains(i))
            .filter(|i| answers.get(*i) != opened.answers.get(*i))
            .map(|i| AnswerProblem::new(&survey.questions[i].id, ProblemKind::FromRegister))
            .collect();
    }
    if identity == opened.response.identity {
        return Vec::new();
    }
    let fixed: &[Role] = match survey.kind {
        RespondentKind::Enterprise => &[Role::TaxCode],
        RespondentKind::Agency => &[Role::AgencyName, Role::Area],
    };
    fixed
        .iter()
        .filter_map(|role| survey.role_question(*role))
        .filter(|i| survey.pages[page].questions.contains(i))
        .map(|i| AnswerProblem::new(&survey.questions[i].id, ProblemKind::Fixed))
        .collect()
}

/// Submits an opened response, computing its scores with its questionnaire version. Returns
/// false, changing nothing, while required answers are missing; a second submission changes
/// nothing and returns true.
pub fn submit(app: &App, opened: &Opened, today: Date) -> Result<bool, RespondError> {
    if opened.submitted() {
        return Ok(true);
    }
    ensure_open(app, &opened.response.wave_id, today)?;
    if !opened.answers.missing(&opened.survey).is_empty() {
        return Ok(false);
    }
    let (id, app_ref) = (opened.response.id, app.clone());
    let submitted = app.store.write_batched(move |tx| {
        // Read again inside the write: the draft may have changed since it was opened.
        let current = store::response_by_id(tx, id)?
            .ok_or_else(|| StoreError::NotFound(format!("response {id}")))?;
        if current.status == ResponseStatus::Submitted {
            return Ok(true);
        }
        let (survey, answers) = decode(&app_ref, &current).map_err(StoreError::Invalid)?;
        let answers = answers.without_hidden(&survey);
        if !answers.missing(&survey).is_empty() {
            return Ok(false);
        }
        let mut response = new_response(
            &survey,
            &answers,
            &app_ref.reference,
            &current.wave_id,
            ResponseStatus::Submitted,
        );
        if let Some(unit) = current.register_unit {
            let stratum = store::register_stratum(tx, unit)?;
            super::access::keep_register_stratum(&mut response, stratum);
        }
        store::submit_response(tx, id, &response).map(|_| true)
    })?;
    Ok(submitted)
}
/// The self-assessment of a submitted response, compared with its peers as the disclosure
/// policy allows.
pub fn assessment(
    app: &App,
    opened: &Opened,
    lang: Lang,
    today: Date,
) -> Result<Assessment, StoreError> {
    let peers = benchmarks::of(app, &opened.response, today)?;
    Ok(assess(app, &opened.survey, &opened.answers, &opened.response, &peers, lang))
}

/// The self-assessment of the submitted response numbered `id` (the command line); `None` when
/// there is no such submitted response.
pub fn assessment_by_id(
    app: &App,
    id: i64,
    lang: Lang,
    today: Date,
) -> Result<Option<Assessment>, RespondError> {
    let Some(response) = app
        .store
        .read(|c| store::response_by_id(c, id))?
        .filter(|r| r.status == ResponseStatus::Submitted)
    else {
        return Ok(None);
    };
    let (survey, answers) = decode(app, &response).map_err(RespondError::Internal)?;
    let peers = benchmarks::of(app, &response, today)?;
    Ok(Some(assess(app, &survey, &answers, &response, &peers, lang)))
}
