//! The EVS checker (being written).
