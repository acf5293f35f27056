//! Walk lists: the restaurants still to visit ordered into a short route, their opening hours
//! read to flag venues closed at the planned time and to suggest quieter times, and the walk
//! sheet a volunteer carries. Plain Rust: no database, no clock (times are passed in), and the
//! sheet is written to whatever `io::Write` the caller gives; `api::walk` decides the rest.

pub mod holidays;
pub mod hours;
pub mod quiet;
pub mod route;
pub mod sheet;
