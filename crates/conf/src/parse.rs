//! The parser (owned by the conf work).
use crate::{Loaded, Source};

pub fn load(_source: &dyn Source, _file: &str) -> Loaded {
    todo!()
}
