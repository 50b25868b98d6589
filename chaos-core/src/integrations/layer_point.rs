//! [`LayerPoint`]: a point declared with `chaos::point!`, for a `ChaosLayer`.

/// An injection point for a `ChaosLayer`, declared with `chaos::point!`: a point with no function
/// of its own, registered, configured and counted like the points of `#[chaos]`.
///
/// Compiled out (without the `enabled` feature) it holds nothing, and the layer it is given to
/// returns the service it wraps, unchanged.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct LayerPoint {
    /// Read by the tower layer, which applies the point's faults.
    #[cfg(feature = "runtime")]
    pub(super) point: &'static crate::runtime::Point,
}

impl LayerPoint {
    /// The handle of a point `chaos::point!` declared.
    #[doc(hidden)]
    #[cfg(feature = "runtime")]
    pub const fn __new(point: &'static crate::runtime::Point) -> LayerPoint {
        LayerPoint { point }
    }

    /// A handle to nothing: what `chaos::point!` gives when chaos is compiled out (or when its
    /// arguments are wrong, next to the error).
    #[doc(hidden)]
    #[cfg(not(feature = "runtime"))]
    pub const fn __compiled_out() -> LayerPoint {
        LayerPoint {}
    }

    /// A handle to nothing, with chaos compiled in: only ever built next to a compile error.
    #[doc(hidden)]
    #[cfg(feature = "runtime")]
    pub const fn __compiled_out() -> LayerPoint {
        panic!("`chaos::point!` reported an error; this program does not compile")
    }

    /// The point's name (`None` when chaos is compiled out).
    pub fn name(&self) -> Option<&'static str> {
        #[cfg(feature = "runtime")]
        return Some(self.point.name());
        #[cfg(not(feature = "runtime"))]
        None
    }
}
