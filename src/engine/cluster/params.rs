//! Clustering settings: what a user may change, checked before use, and the fixed numbers
//! and size-dependent defaults behind them.
//!
//! [`ClusterParams`] is filled from the page or the command line and may be invalid;
//! [`ClusterParams::check`] turns it into [`ClusterValidParams`], the only form the
//! algorithms accept (linfa's `ParamGuard` pattern).

use serde::{Deserialize, Serialize};

/// Most people in the sample that forms segments.
pub const SAMPLE: usize = 6000;
/// Neighbours in the graphs.
pub const NEIGHBOURS: usize = 15;
/// Largest separation ratio (valley density over member density) a segment may have, when
/// fragments can be merged back by the columns they differ in.
pub const MAX_SEPARATION: f64 = 0.8;

/// Which clustering method forms segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// HDBSCAN with smoothing, separation and noise triage (the default).
    Density,
    /// k-means (`linfa-clustering`) with `k` groups.
    KMeans,
    /// Gaussian mixture (`linfa-clustering`) with `k` components.
    GaussianMixture,
}

/// Clustering settings as the user gave them (maybe invalid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterParams {
    /// The method.
    pub method: Method,
    /// Smallest segment, in people (density method); `None` = 0.5 % of people, adapted.
    pub min_cluster_size: Option<usize>,
    /// Neighbours defining density in the sample; `None` = adapt.
    pub min_samples: Option<usize>,
    /// Number of groups for k-means and mixtures.
    pub k: usize,
    /// Resamples for stability (0 = skip).
    pub resamples: usize,
    /// Seed for every random choice.
    pub seed: u64,
    /// Largest separation ratio a segment may have (density method): 1 = plain HDBSCAN.
    pub max_separation: f64,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            method: Method::Density,
            min_cluster_size: None,
            min_samples: None,
            k: 8,
            resamples: 3,
            seed: 42,
            max_separation: MAX_SEPARATION,
        }
    }
}

/// Settings that were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterValidParams(pub(super) ClusterParams);

impl ClusterValidParams {
    /// The checked settings.
    pub fn get(&self) -> &ClusterParams {
        &self.0
    }
}

/// Why settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// A size below 2.
    #[error("the smallest segment must have at least 2 people (got {0})")]
    MinClusterSize(usize),
    /// k below 1 or above 100.
    #[error("the number of groups must be between 1 and 100 (got {0})")]
    K(usize),
    /// Too many resamples.
    #[error("at most 20 stability resamples (got {0})")]
    Resamples(usize),
    /// Separation outside (0, 1].
    #[error("the separation must be above 0 and at most 1 (got {0})")]
    Separation(String),
    /// min_samples below 1 or above 200.
    #[error("the density neighbourhood must be between 1 and 200 people (got {0})")]
    MinSamples(usize),
}

impl ClusterParams {
    /// Validates the settings.
    pub fn check(self) -> Result<ClusterValidParams, ParamError> {
        if let Some(m) = self.min_cluster_size
            && m < 2
        {
            return Err(ParamError::MinClusterSize(m));
        }
        if let Some(k) = self.min_samples
            && !(1..=200).contains(&k)
        {
            return Err(ParamError::MinSamples(k));
        }
        if !(1..=100).contains(&self.k) {
            return Err(ParamError::K(self.k));
        }
        if self.resamples > 20 {
            return Err(ParamError::Resamples(self.resamples));
        }
        if !(self.max_separation > 0.0 && self.max_separation <= 1.0) {
            return Err(ParamError::Separation(self.max_separation.to_string()));
        }
        Ok(ClusterValidParams(self))
    }
}

/// The starting smallest-segment size for `n` people: 0.5 %, at least 5.
pub fn default_min_cluster_size(n: usize) -> usize {
    ((n as f64 * 0.005).round() as usize).max(5)
}

/// The density neighbourhood for a smallest-segment size.
pub fn default_min_samples(min_cluster_size: usize) -> usize {
    min_cluster_size.clamp(4, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_settings_are_refused() {
        assert_eq!(
            ClusterParams {
                min_cluster_size: Some(1),
                ..Default::default()
            }
            .check(),
            Err(ParamError::MinClusterSize(1))
        );
        assert_eq!(
            ClusterParams {
                k: 0,
                ..Default::default()
            }
            .check(),
            Err(ParamError::K(0))
        );
    }
}
