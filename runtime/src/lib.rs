//! zarm runtime.
