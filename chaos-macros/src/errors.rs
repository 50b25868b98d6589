//! Collects every error of one attribute so they are reported together (as serde_derive's
//! `Ctxt` does), instead of one per compile.

pub struct Errors {
    all: Option<syn::Error>,
    count: usize,
}

impl Errors {
    pub fn new() -> Errors {
        Errors {
            all: None,
            count: 0,
        }
    }

    pub fn push(&mut self, error: syn::Error) {
        self.count += 1;
        match &mut self.all {
            Some(all) => all.combine(error),
            None => self.all = Some(error),
        }
    }

    /// How many errors were pushed so far.
    pub fn count(&self) -> usize {
        self.count
    }

    /// All errors so far, or `None` if there were none.
    pub fn into_error(self) -> Option<syn::Error> {
        self.all
    }
}
