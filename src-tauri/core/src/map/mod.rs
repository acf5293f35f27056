//! The map at city scale: every restaurant's position and status held in memory, sorted for
//! range queries, and clustered per request for the box and zoom the window shows. Plain Rust;
//! `api::map` fills the index from the store and keeps it current.

pub mod cluster;
pub mod index;
pub mod mercator;

pub use cluster::{Cluster, MapItem, Single};
pub use index::{IndexPoint, MapIndex};
