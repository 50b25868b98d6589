//! Collects every error of one attribute so they are reported together (as serde_derive's
//! `Ctxt` does), instead of one per compile.

pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn new() -> Errors {
        Errors(None)
    }

    pub fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// All errors so far, or `None` if there were none.
    pub fn into_error(self) -> Option<syn::Error> {
        self.0
    }
}
