//! The ethics program: policies and attestations, training, climate surveys, conflicts of interest, corrective actions, discipline, recognition and pay equity.

pub mod capa;
pub mod conflicts;
pub mod discipline;
pub mod kudos;
pub mod pay;
pub mod policies;
pub mod surveys;
pub mod training;
