//! The ethics program: policies and attestations, training, climate surveys, conflicts of interest, corrective actions, discipline and recognition.

pub mod capa;
pub mod conflicts;
pub mod discipline;
pub mod home;
pub mod kudos;
pub mod policies;
pub mod surveys;
pub mod training;
