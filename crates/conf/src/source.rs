//! Where config text comes from (owned by the conf work).
pub trait Source {}
pub struct FsSource;
pub struct MemSource;
