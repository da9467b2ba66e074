//! The panic boundary: no Rust panic may unwind into C. A panic inside a
//! library call becomes `CS_ERR_LIBRARY` for that call.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::types::cs_error_t;
use crate::api::Error;

/// Run a C entry point's body, turning a panic into `CS_ERR_LIBRARY`.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), Error>) -> cs_error_t {
    // AssertUnwindSafe: the state a panic could leave half-updated sits behind
    // mutexes that recover from poisoning, and the call reports the failure.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => cs_error_t::CS_OK,
        Ok(Err(e)) => code_of(e),
        Err(_) => cs_error_t::CS_ERR_LIBRARY,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_cs_err_library() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let code = guard(|| panic!("boom"));
        std::panic::set_hook(prev);
        assert_eq!(code, cs_error_t::CS_ERR_LIBRARY);
        assert_eq!(guard(|| Ok(())), cs_error_t::CS_OK);
        assert_eq!(guard(|| Err(Error::NoSpace { needed: 3 })), cs_error_t::CS_ERR_NO_SPACE);
    }
}
