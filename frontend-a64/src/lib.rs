//! A64 decoder and lifter (see decode/ and lift/).
