//! The page's state: one value, changed only by [`Action`]s in a pure [`State::apply`].
//!
//! Effects — reading files, talking to the worker, downloads — live in callbacks in
//! `app.rs`; this module decides what the page shows and is tested natively. Large results
//! sit behind `Rc`, so re-renders never compare or copy them.

use crate::protocol::{
    Comparison, IngestParams, InspectView, PersonView, ResultView, Role, SegmentLabel, Settings,
    Stage,
};
use std::rc::Rc;

/// Where the page is.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing dropped yet.
    Idle,
    /// The worker is reading or analysing.
    Working {
        /// The current stage.
        stage: Stage,
        /// Done within the stage, 0–1.
        fraction: f64,
    },
    /// Segments are shown.
    Done,
    /// Something went wrong; files and settings are kept.
    Failed {
        /// What went wrong and what to try.
        message: String,
        /// The worker stopped (crash or memory) rather than refusing the input.
        worker_died: bool,
    },
}

impl Phase {
    /// The `data-state` of the status element: `idle`, `working`, `done` or `error`.
    pub fn data_state(&self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Working { .. } => "working",
            Phase::Done => "done",
            Phase::Failed { .. } => "error",
        }
    }
}

/// A dropped file as the page shows it (the file itself is held by the app, not the state).
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedFile {
    /// Name.
    pub name: String,
    /// Size in bytes.
    pub bytes: f64,
}

/// Everything the page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Where the page is.
    pub phase: Phase,
    /// Files dropped (kept through errors, for retry).
    pub files: Vec<DroppedFile>,
    /// The check screen, once files are read.
    pub inspect: Option<Rc<InspectView>>,
    /// The results, once segments are found.
    pub result: Option<Rc<ResultView>>,
    /// Every setting (roles, balance, method, seed).
    pub settings: Settings,
    /// How to read each file (`None` fields = detect), one per file.
    pub ingest: Vec<IngestParams>,
    /// Settings changed since the shown results (offer "Find segments again").
    pub dirty: bool,
    /// The segment whose portrait is open (index into the result's segments).
    pub selected: Option<usize>,
    /// The person whose view is open.
    pub person: Option<Rc<PersonView>>,
    /// The privacy panel is open.
    pub privacy_open: bool,
    /// What the page last said about a file taken away (or a settings file loaded).
    pub notice: Option<String>,
    /// These segments against last month's export.
    pub comparison: Option<Rc<Comparison>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            phase: Phase::Idle,
            files: Vec::new(),
            inspect: None,
            result: None,
            settings: Settings::default(),
            ingest: Vec::new(),
            dirty: false,
            selected: None,
            person: None,
            privacy_open: false,
            notice: None,
            comparison: None,
        }
    }
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// New files were dropped or chosen (reading starts).
    FilesDropped(Vec<DroppedFile>),
    /// The same files are read again — after an error, or with other reading choices — keeping
    /// every setting.
    ReadAgain,
    /// The user chose how to read one file (delimiter, decimal, encoding, header).
    SetIngest(usize, IngestParams),
    /// The worker reports progress.
    Progress(Stage, f64),
    /// Files were read.
    Inspected(Rc<InspectView>),
    /// Analysis started (after reading, or again after a change).
    AnalysisStarted,
    /// Segments were found.
    Analysed(Rc<ResultView>),
    /// The worker refused the input or the settings.
    Failed(String),
    /// The worker stopped unexpectedly.
    WorkerDied,
    /// The watchdog stopped a worker that reported nothing for too long.
    Stalled,
    /// The user cancelled the work in progress.
    Cancelled,
    /// The user moved a column to another role.
    SetRole(String, Role),
    /// The user moved the say/do balance slider (0 = do, 1 = say).
    SetBalance(f64),
    /// A segment was selected (or the selection cleared).
    Select(Option<usize>),
    /// A person's view arrived.
    PersonShown(Rc<PersonView>),
    /// The person view was closed.
    ClosePerson,
    /// The privacy panel was opened or closed.
    TogglePrivacy,
    /// The user named a segment or wrote a note (an empty name keeps the found one).
    SetLabel(SegmentLabel),
    /// A settings file was loaded: every setting replaced, results to be found again.
    SettingsLoaded(Settings),
    /// Something to say about a file taken away.
    Notice(String),
    /// The comparison with last month arrived.
    Compared(Rc<Comparison>),
}

impl State {
    /// The state after `action`.
    pub fn apply(&self, action: Action) -> State {
        let mut next = self.clone();
        match action {
            Action::FilesDropped(files) => {
                let ingest = vec![IngestParams::default(); files.len()];
                next = State { files, ingest, settings: Settings::default(), privacy_open: self.privacy_open, ..State::default() };
                next.phase = Phase::Working { stage: Stage::Reading, fraction: 0.0 };
            }
            Action::ReadAgain => {
                next.phase = Phase::Working { stage: Stage::Reading, fraction: 0.0 };
                next.person = None;
            }
            Action::SetIngest(file, params) => {
                if let Some(slot) = next.ingest.get_mut(file) {
                    *slot = params;
                }
            }
            Action::Progress(stage, fraction) => {
                if matches!(self.phase, Phase::Working { .. }) {
                    next.phase = Phase::Working { stage, fraction };
                }
            }
            Action::Inspected(view) => {
                next.inspect = Some(view);
                next.phase = Phase::Working { stage: Stage::Understanding, fraction: 1.0 };
            }
            Action::AnalysisStarted => {
                next.phase = Phase::Working { stage: Stage::Features, fraction: 0.0 };
                // A comparison was with the segments being replaced.
                next.comparison = None;
                next.dirty = false;
                next.person = None;
            }
            Action::Analysed(result) => {
                next.notice = None;
                next.selected = result.segments.iter().position(|s| !s.mass).or((!result.segments.is_empty()).then_some(0));
                next.result = Some(result);
                next.phase = Phase::Done;
            }
            Action::Failed(message) => next.phase = Phase::Failed { message, worker_died: false },
            Action::WorkerDied => {
                next.phase = Phase::Failed {
                    message: "The analysis stopped unexpectedly — most often the browser ran out of memory. \
                              Your files and settings are still here: try again, or use the command-line tool for very large files."
                        .into(),
                    worker_died: true,
                }
            }
            Action::Stalled => {
                let stage = match &self.phase {
                    Phase::Working { stage, .. } => stage.label(),
                    _ => "the analysis",
                };
                next.phase = Phase::Failed {
                    message: format!(
                        "The analysis made no progress at “{stage}” for minutes, so it was stopped. \
                         Your files and settings are still here: try again."
                    ),
                    worker_died: true,
                };
            }
            Action::Cancelled => {
                next.phase = if self.result.is_some() { Phase::Done } else { Phase::Idle };
                if self.result.is_none() && self.inspect.is_none() {
                    next.files.clear();
                }
            }
            Action::SetRole(column, role) => {
                next.settings.schema.roles.insert(column.clone(), role);
                if let Some(view) = &self.inspect {
                    let mut v = (**view).clone();
                    for c in v.columns.iter_mut().filter(|c| c.name == column) {
                        c.overridden = true;
                        c.role = role;
                    }
                    next.inspect = Some(Rc::new(v));
                }
                next.dirty = true;
            }
            Action::SetBalance(b) => {
                next.settings.features.balance = b.clamp(0.0, 1.0);
                next.dirty = true;
            }
            Action::Select(s) => next.selected = s,
            Action::PersonShown(p) => next.person = Some(p),
            Action::ClosePerson => next.person = None,
            Action::TogglePrivacy => next.privacy_open = !self.privacy_open,
            Action::SetLabel(label) => {
                let labels = &mut next.settings.labels;
                // One label per segment, which is known by its found name (its id may have
                // moved since the label was made): a new name replaces only that segment's.
                labels.retain(|l| l.found != label.found);
                if !(label.name.trim().is_empty() && label.note.trim().is_empty()) {
                    labels.push(label);
                }
            }
            Action::SettingsLoaded(settings) => {
                next.settings = settings;
                next.dirty = true;
                next.notice = Some("Settings loaded: finding segments again with them.".into());
            }
            Action::Notice(message) => next.notice = Some(message),
            Action::Compared(c) => {
                next.notice = None;
                next.comparison = Some(c);
            }
        }
        next
    }

    /// True while the worker is busy.
    pub fn busy(&self) -> bool {
        matches!(self.phase, Phase::Working { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view_with_column(name: &str, role: Role) -> InspectView {
        InspectView {
            files: Vec::new(),
            diagnostics: Vec::new(),
            joins: Vec::new(),
            unjoined: Vec::new(),
            n_rows: 3,
            columns: vec![crate::protocol::ColumnView {
                name: name.into(),
                kind: "count".into(),
                role,
                reason: String::new(),
                demographic: false,
                personal: false,
                overridden: false,
                n_missing: 0,
                n_distinct: 3,
            }],
            outcomes: Vec::new(),
            preview: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn dropping_files_starts_reading_and_forgets_old_results() {
        let s = State::default().apply(Action::FilesDropped(vec![DroppedFile {
            name: "a.csv".into(),
            bytes: 10.0,
        }]));
        assert_eq!(s.phase.data_state(), "working");
        assert!(s.result.is_none() && s.inspect.is_none());
    }

    #[test]
    fn a_role_change_marks_results_stale_and_is_kept_in_settings() {
        let s = State::default().apply(Action::Inspected(Rc::new(view_with_column(
            "Orders",
            Role::Behaviour,
        ))));
        let s = s.apply(Action::SetRole("Orders".into(), Role::Ignore));
        assert!(s.dirty);
        assert_eq!(s.settings.schema.roles.get("Orders"), Some(&Role::Ignore));
        assert_eq!(
            s.inspect.as_ref().map(|v| v.columns[0].role),
            Some(Role::Ignore)
        );
        let s = s.apply(Action::AnalysisStarted);
        assert!(!s.dirty);
    }

    #[test]
    fn a_dead_worker_keeps_files_and_settings() {
        let s = State::default()
            .apply(Action::FilesDropped(vec![DroppedFile {
                name: "a.csv".into(),
                bytes: 10.0,
            }]))
            .apply(Action::SetBalance(0.7))
            .apply(Action::WorkerDied);
        assert_eq!(s.phase.data_state(), "error");
        assert_eq!(s.files.len(), 1);
        assert!((s.settings.features.balance - 0.7).abs() < 1e-12);
    }

    #[test]
    fn a_stalled_analysis_names_its_stage_and_keeps_files_and_settings() {
        let s = State::default()
            .apply(Action::FilesDropped(vec![DroppedFile {
                name: "a.csv".into(),
                bytes: 10.0,
            }]))
            .apply(Action::SetBalance(0.3))
            .apply(Action::Progress(Stage::Segments, 0.95))
            .apply(Action::Stalled);
        assert_eq!(s.phase.data_state(), "error");
        let Phase::Failed {
            message,
            worker_died,
        } = &s.phase
        else {
            panic!("a stall is an error: {:?}", s.phase)
        };
        assert!(message.contains(Stage::Segments.label()), "{message}");
        assert!(*worker_died, "the page offers to try again");
        assert_eq!(s.files.len(), 1);
        assert!((s.settings.features.balance - 0.3).abs() < 1e-12);
    }

    #[test]
    fn reading_again_keeps_settings_and_reading_choices() {
        let s = State::default()
            .apply(Action::FilesDropped(vec![DroppedFile {
                name: "a.csv".into(),
                bytes: 10.0,
            }]))
            .apply(Action::Inspected(Rc::new(view_with_column(
                "Orders",
                Role::Behaviour,
            ))))
            .apply(Action::SetRole("Orders".into(), Role::Ignore))
            .apply(Action::SetIngest(
                0,
                IngestParams {
                    delimiter: Some(b';'),
                    ..IngestParams::default()
                },
            ))
            .apply(Action::WorkerDied)
            .apply(Action::ReadAgain);
        assert_eq!(s.phase.data_state(), "working");
        assert_eq!(s.files.len(), 1);
        assert_eq!(s.settings.schema.roles.get("Orders"), Some(&Role::Ignore));
        assert_eq!(s.ingest[0].delimiter, Some(b';'));
    }

    #[test]
    fn a_name_replaces_the_last_one_and_an_empty_label_is_dropped() {
        let label = |name: &str| SegmentLabel {
            id: "S2".into(),
            found: "night shifts".into(),
            name: name.into(),
            note: String::new(),
        };
        let s = State::default()
            .apply(Action::SetLabel(label("Nurses")))
            .apply(Action::SetLabel(label("Night nurses")));
        assert_eq!(s.settings.labels, vec![label("Night nurses")]);
        assert!(!s.dirty, "a name changes no segment");
        let s = s.apply(Action::SetLabel(label(" ")));
        assert!(s.settings.labels.is_empty());
    }

    #[test]
    fn naming_a_segment_keeps_the_name_of_one_that_moved_to_another_number() {
        // "night shifts" was S2 when named, and is S1 after a re-run; the new S2 is named.
        let moved = SegmentLabel {
            id: "S2".into(),
            found: "night shifts".into(),
            name: "Nurses".into(),
            note: String::new(),
        };
        let new = SegmentLabel {
            id: "S2".into(),
            found: "office snacks".into(),
            name: "Office managers".into(),
            note: String::new(),
        };
        let s = State::default()
            .apply(Action::SetLabel(moved.clone()))
            .apply(Action::SetLabel(new.clone()));
        assert_eq!(s.settings.labels, vec![moved, new]);
    }

    #[test]
    fn loaded_settings_replace_every_setting_and_mark_results_stale() {
        let mut loaded = Settings::default();
        loaded.features.balance = 0.9;
        loaded.schema.roles.insert("Orders".into(), Role::Ignore);
        let s = State::default().apply(Action::SettingsLoaded(loaded.clone()));
        assert_eq!(s.settings, loaded);
        assert!(s.dirty);
    }

    #[test]
    fn cancelling_before_any_result_returns_to_the_start() {
        let s = State::default().apply(Action::FilesDropped(vec![DroppedFile {
            name: "a.csv".into(),
            bytes: 1.0,
        }]));
        let s = s.apply(Action::Cancelled);
        assert_eq!(s.phase, Phase::Idle);
    }
}
