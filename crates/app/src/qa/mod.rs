//! Quality assurance: scores, disputes, calibration sessions and customer feedback.
