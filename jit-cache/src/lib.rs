//! The JIT code cache. Empty until the JIT issue (#3): executable memory,
//! the guest-page index, chaining and LRU eviction live here.
