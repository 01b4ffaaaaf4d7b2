//! Quality assurance: scores, disputes, calibration sessions and customer feedback.
//!
//! The functions the interactions capability and the shells read (may a caller read an
//! interaction, is it hidden from a blind calibration scorer, its dispute rows and its
//! survey) live here so that the interaction pages need not reach into the QA pages.

pub mod calibration;
pub mod disputes;
pub mod feedback;
pub mod review;
