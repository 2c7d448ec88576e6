//! The s390x backend. Empty until the JIT issue (#3): it will hold the
//! z/Architecture encoder, facility detection, assist routing and the
//! baseline emitter. It depends only on `zarm-ir`.
