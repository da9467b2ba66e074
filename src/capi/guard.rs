//! The panic boundary: no Rust panic may unwind into C. A panic inside a
//! library call becomes `CS_ERR_LIBRARY` for that call, and `EVS_LOG` says
//! why (the library prints nothing otherwise, not even Rust's panic message).

use super::types::cs_error_t;
use crate::api::Error;
use crate::node::failure::catching;

/// Run a C entry point's body, turning a panic into `CS_ERR_LIBRARY`.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> cs_error_t {
    // Unwind safety: the state a panic could leave half-updated sits behind
    // mutexes that recover from poisoning, and a panic inside the protocol
    // core fails the node (`node::submit`), so nothing half-updated is reused.
    match catching(body) {
        Ok(Ok(())) => cs_error_t::CS_OK,
        Ok(Err(e)) => code_of(e),
        Err(reason) => {
            crate::evs_log!(Error, "a library call panicked: {reason}");
            cs_error_t::CS_ERR_LIBRARY
        }
    }
}

/// The `cs_error_t` of each safe-API error.
pub(crate) fn code_of(e: Error) -> cs_error_t {
    match e {
        Error::Library => cs_error_t::CS_ERR_LIBRARY,
        Error::TryAgain => cs_error_t::CS_ERR_TRY_AGAIN,
        Error::InvalidParam => cs_error_t::CS_ERR_INVALID_PARAM,
        Error::BadHandle => cs_error_t::CS_ERR_BAD_HANDLE,
        Error::TooManyGroups => cs_error_t::CS_ERR_TOO_MANY_GROUPS,
        Error::TooBig => cs_error_t::CS_ERR_TOO_BIG,
        Error::NoSpace { .. } => cs_error_t::CS_ERR_NO_SPACE,
        Error::NotExist => cs_error_t::CS_ERR_NOT_EXIST,
        Error::Timeout => cs_error_t::CS_ERR_TIMEOUT,
        Error::Exist => cs_error_t::CS_ERR_EXIST,
        // The handle's queue of callbacks filled: named for what happened,
        // and unlike TRY_AGAIN never cleared by waiting.
        Error::Overrun => cs_error_t::CS_ERR_QUEUE_FULL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_cs_err_library() {
        // Silent: `catching` records the panic instead of printing it.
        let code = guard(|| panic!("boom"));
        assert_eq!(code, cs_error_t::CS_ERR_LIBRARY);
        assert_eq!(guard(|| Ok(())), cs_error_t::CS_OK);
        assert_eq!(guard(|| Err(Error::NoSpace { needed: 3 })), cs_error_t::CS_ERR_NO_SPACE);
    }
}
