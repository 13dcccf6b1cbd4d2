//! Settings: command-line flag, then `CORRIDOR_*` environment variable
//! (both handled by clap), then the TOML config file, then the default.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

/// The config file's contents. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Store URL: a file path / `sqlite://…`, or `postgres://…`.
    pub database: Option<String>,
    /// Address `serve` listens on.
    pub listen: Option<String>,
    /// Directory of the built dashboard.
    pub web_dir: Option<PathBuf>,
    /// The corridor's rules: `bsgi`, `unvim`, or a file in the format of
    /// `config/parties-*.toml`.
    pub rules: Option<String>,
    /// `serve`: the centre's inspection resources, in the format of
    /// `config/capacity-*.toml`.
    pub capacity: Option<PathBuf>,
    /// `serve` and `track`: the corridor's geometry (GeoJSON).
    pub geometry: Option<PathBuf>,
}

pub const DEFAULT_DATABASE: &str = "corridor.db";
pub const DEFAULT_CONFIG: &str = "corridor.toml";

impl FileConfig {
    /// Reads `path` if given (it must exist), else `corridor.toml` in the
    /// working directory if present.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FileConfig::default());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("reading config file {}", path.display()));
            }
        };
        toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
    }
}
