//! cdr.conf (`[general]`, `[csv]`) and cdr_pgsql.conf (`[global]`), as main/cdr.c,
//! cdr/cdr_csv.c and cdr/cdr_pgsql.c read them.

use tandem_conf::{Section, Source};
use tandem_core::cdr::CdrOptions;

/// cdr_csv.c's options (`[csv]` in cdr.conf). Its defaults: local time, no uniqueid, no
/// userfield, per-account files, no post-1.8 columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvConf {
    pub usegmtime: bool,
    pub loguniqueid: bool,
    pub loguserfield: bool,
    pub accountlogs: bool,
    pub newcdrcolumns: bool,
}

impl Default for CsvConf {
    fn default() -> Self {
        CsvConf {
            usegmtime: false,
            loguniqueid: false,
            loguserfield: false,
            accountlogs: true,
            newcdrcolumns: false,
        }
    }
}

/// cdr_pgsql.conf `[global]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PgConf {
    pub hostname: String,
    pub port: u16,
    pub dbname: String,
    pub user: String,
    pub password: String,
    pub table: String,
    /// `usegmtime`: times in UTC.
    pub usegmtime: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdrConf {
    /// `[general] enable` (default yes).
    pub enabled: bool,
    pub options: CdrOptions,
    /// `[csv]` present in cdr.conf.
    pub csv: Option<CsvConf>,
    pub pgsql: Option<PgConf>,
    /// cdr_manager.conf `[general] enabled = yes` (default no): each record is also a `Cdr`
    /// AMI event.
    pub manager: bool,
}

impl Default for CdrConf {
    fn default() -> Self {
        CdrConf {
            enabled: true,
            options: CdrOptions::default(),
            csv: None,
            manager: false,
            pgsql: None,
        }
    }
}

/// `ast_true`.
fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "yes" | "true" | "y" | "t" | "1" | "on"
    )
}

fn flag(section: &Section, key: &str, default: bool) -> bool {
    section.get(key).map(truthy).unwrap_or(default)
}

impl CdrConf {
    /// Read cdr.conf and cdr_pgsql.conf from `source`; messages about them are returned.
    pub fn load(source: &dyn Source) -> (CdrConf, Vec<String>) {
        let mut conf = CdrConf::default();
        let mut messages = Vec::new();
        if let Some(file) = tandem_conf::load_optional(source, "cdr.conf") {
            messages.extend(file.diagnostics.iter().map(|d| d.to_string()));
            if let Some(g) = file.config.sections_named("general").last() {
                conf.enabled = flag(g, "enable", true);
                conf.options.unanswered = flag(g, "unanswered", false);
                conf.options.congestion = flag(g, "congestion", false);
                conf.options.initiated_seconds = flag(g, "initiatedseconds", false);
                if flag(g, "batch", false) {
                    messages.push(
                        "cdr.conf: batch=yes is not supported: records are written when each call ends"
                            .to_string(),
                    );
                }
            }
            if let Some(c) = file.config.sections_named("csv").last() {
                conf.csv = Some(CsvConf {
                    usegmtime: flag(c, "usegmtime", false),
                    loguniqueid: flag(c, "loguniqueid", false),
                    loguserfield: flag(c, "loguserfield", false),
                    accountlogs: flag(c, "accountlogs", true),
                    newcdrcolumns: flag(c, "newcdrcolumns", false),
                });
            }
        }
        if let Some(file) = tandem_conf::load_optional(source, "cdr_manager.conf") {
            messages.extend(file.diagnostics.iter().map(|d| d.to_string()));
            if let Some(g) = file.config.sections_named("general").last() {
                conf.manager = flag(g, "enabled", false);
            }
        }
        if let Some(file) = tandem_conf::load_optional(source, "cdr_pgsql.conf") {
            messages.extend(file.diagnostics.iter().map(|d| d.to_string()));
            if let Some(g) = file.config.sections_named("global").last() {
                let port = match g.get("port").map(str::trim) {
                    None => 5432,
                    Some(p) => p.parse().unwrap_or_else(|_| {
                        messages.push(format!("cdr_pgsql.conf: bad port '{p}', using 5432"));
                        5432
                    }),
                };
                conf.pgsql = Some(PgConf {
                    hostname: g.get("hostname").unwrap_or("localhost").trim().to_string(),
                    port,
                    dbname: g
                        .get("dbname")
                        .unwrap_or("asteriskcdrdb")
                        .trim()
                        .to_string(),
                    user: g.get("user").unwrap_or("asterisk").trim().to_string(),
                    password: g.get("password").unwrap_or_default().to_string(),
                    table: g.get("table").unwrap_or("cdr").trim().to_string(),
                    usegmtime: flag(g, "usegmtime", false),
                });
            }
        }
        (conf, messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_conf::MemSource;

    #[test]
    fn csv_is_on_only_with_a_csv_section_and_pgsql_defaults_as_asterisk() {
        let (c, _) = CdrConf::load(&MemSource::new());
        assert!(c.enabled && c.csv.is_none() && c.pgsql.is_none());
        let (c, _) = CdrConf::load(
            &MemSource::new()
                .with(
                    "cdr.conf",
                    "[general]\nunanswered=yes\n[csv]\nloguniqueid=yes\n",
                )
                .with(
                    "cdr_pgsql.conf",
                    "[global]\nhostname=127.0.0.1\nport=6543\n",
                ),
        );
        assert!(c.options.unanswered);
        let csv = c.csv.unwrap_or_default();
        assert!(csv.loguniqueid && csv.accountlogs && !csv.loguserfield);
        let pg = c.pgsql.unwrap_or_else(|| panic!("pgsql"));
        assert_eq!(
            (pg.port, pg.table.as_str(), pg.dbname.as_str()),
            (6543, "cdr", "asteriskcdrdb")
        );
    }
}
