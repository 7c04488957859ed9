//! cdr_pgsql: records go to a PostgreSQL table named in cdr_pgsql.conf.
//!
//! A bounded queue feeds one writer thread (its own single-threaded tokio runtime, so the
//! daemon's runtime never waits on the database). When the queue is full the record is
//! dropped, counted and logged (the store already holds every record durably). Like
//! cdr_pgsql.c, the writer asks the server which columns the table has and fills only those,
//! casting each value to the column's type (an empty time is NULL).
//!
//! Client: tokio-postgres 0.7 (the maintained pure-Rust driver of rust-postgres; it needs no
//! compile-time database like sqlx's macros and pulls in far fewer crates for one INSERT).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tandem_store::cdr::{CdrValue, COLUMNS};
use tandem_store::CdrRow;
use tokio::sync::mpsc;

use super::conf::PgConf;

/// How many records may wait for the database.
pub const QUEUE: usize = 1024;

pub struct Queue {
    tx: mpsc::Sender<CdrRow>,
    dropped: Arc<AtomicU64>,
    pub usegmtime: bool,
}

impl Queue {
    /// Hand a record to the writer; never waits.
    pub fn push(&self, row: CdrRow) {
        if let Err(e) = self.tx.try_send(row) {
            let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            let id = match &e {
                mpsc::error::TrySendError::Full(r) | mpsc::error::TrySendError::Closed(r) => {
                    r.uniqueid.clone()
                }
            };
            tracing::error!(
                "CDR pgsql: queue full, record {id} not sent to PostgreSQL ({n} dropped so far; it is in the store)"
            );
        }
    }
}

/// Start the writer thread.
pub fn start(conf: PgConf) -> Queue {
    let (tx, rx) = mpsc::channel(QUEUE);
    let usegmtime = conf.usegmtime;
    let spawned = std::thread::Builder::new()
        .name("cdr-pgsql".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt.block_on(writer(conf, rx)),
                Err(e) => tracing::error!("CDR pgsql: cannot start its runtime: {e}"),
            }
        });
    if let Err(e) = spawned {
        tracing::error!("CDR pgsql: cannot start its thread: {e}");
    }
    Queue {
        tx,
        dropped: Arc::new(AtomicU64::new(0)),
        usegmtime,
    }
}

/// A table name as cdr_pgsql.conf gives it: letters, digits, `_`, and one optional schema `.`.
fn valid_table(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.split('.').count() <= 2
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// The INSERT for the columns the table has: (sql, indexes into [`COLUMNS`]).
pub fn insert_sql(table: &str, have: &[(String, String)]) -> Option<(String, Vec<usize>)> {
    let mut cols = Vec::new();
    let mut exprs = Vec::new();
    let mut idx = Vec::new();
    for (i, name) in COLUMNS.iter().enumerate() {
        let Some((_, ty)) = have.iter().find(|(c, _)| c == name) else {
            continue;
        };
        let n = idx.len() + 1;
        let textual = ty.contains("char") || ty == "text";
        exprs.push(if textual {
            format!("${n}::text")
        } else {
            format!("CAST(NULLIF(${n}::text, '') AS {ty})")
        });
        cols.push(format!("\"{name}\""));
        idx.push(i);
    }
    if idx.is_empty() {
        return None;
    }
    Some((
        format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            cols.join(", "),
            exprs.join(", ")
        ),
        idx,
    ))
}

/// Only type names information_schema gives (letters, spaces, digits, parentheses).
fn safe_type(ty: &str) -> bool {
    ty.chars()
        .all(|c| c.is_ascii_alphanumeric() || " _(),".contains(c))
}

async fn connect(conf: &PgConf) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut cfg = tokio_postgres::Config::new();
    cfg.host(&conf.hostname)
        .port(conf.port)
        .dbname(&conf.dbname)
        .user(&conf.user)
        .connect_timeout(Duration::from_secs(5));
    if !conf.password.is_empty() {
        cfg.password(&conf.password);
    }
    let (client, connection) = cfg.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!("CDR pgsql: connection closed: {e}");
        }
    });
    Ok(client)
}

async fn prepare(
    client: &tokio_postgres::Client,
    table: &str,
) -> Result<Option<(String, Vec<usize>)>, tokio_postgres::Error> {
    let bare = table.rsplit('.').next().unwrap_or(table);
    let rows = client
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = $1",
            &[&bare],
        )
        .await?;
    let have: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, String>(1)))
        .filter(|(_, ty)| safe_type(ty))
        .collect();
    Ok(insert_sql(table, &have))
}

async fn writer(conf: PgConf, mut rx: mpsc::Receiver<CdrRow>) {
    if !valid_table(&conf.table) {
        tracing::error!("cdr_pgsql.conf: bad table name '{}'", conf.table);
        return;
    }
    let mut session: Option<(tokio_postgres::Client, String, Vec<usize>)> = None;
    while let Some(row) = rx.recv().await {
        let mut backoff = Duration::from_millis(200);
        loop {
            if session.is_none() {
                match connect(&conf).await {
                    Ok(client) => match prepare(&client, &conf.table).await {
                        Ok(Some((sql, idx))) => session = Some((client, sql, idx)),
                        Ok(None) => tracing::error!(
                            "CDR pgsql: table '{}' has none of the CDR columns",
                            conf.table
                        ),
                        Err(e) => tracing::error!("CDR pgsql: {e}"),
                    },
                    Err(e) => tracing::warn!(
                        "CDR pgsql: cannot connect to {}:{}: {e}",
                        conf.hostname,
                        conf.port
                    ),
                }
            }
            if let Some((client, sql, idx)) = &session {
                let vals = row.values();
                let texts: Vec<String> = idx
                    .iter()
                    .filter_map(|i| vals.get(*i))
                    .map(|v| match v {
                        CdrValue::Text(t) => t.to_string(),
                        CdrValue::Int(n) => n.to_string(),
                    })
                    .collect();
                let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = texts
                    .iter()
                    .map(|t| t as &(dyn tokio_postgres::types::ToSql + Sync))
                    .collect();
                match client.execute(sql.as_str(), &params).await {
                    Ok(_) => {
                        tracing::debug!("CDR pgsql: wrote {}", row.uniqueid);
                        break;
                    }
                    Err(e) => {
                        tracing::warn!("CDR pgsql: insert of {} failed: {e}", row.uniqueid);
                        session = None;
                    }
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_fills_only_the_table_columns_and_casts_non_text() {
        let have = vec![
            (
                "calldate".to_string(),
                "timestamp with time zone".to_string(),
            ),
            ("src".to_string(), "character varying".to_string()),
            ("billsec".to_string(), "bigint".to_string()),
            ("other".to_string(), "text".to_string()),
        ];
        let (sql, idx) = insert_sql("cdr", &have).unwrap_or_default();
        assert_eq!(
            sql,
            "INSERT INTO cdr (\"calldate\", \"src\", \"billsec\") VALUES \
             (CAST(NULLIF($1::text, '') AS timestamp with time zone), $2::text, \
             CAST(NULLIF($3::text, '') AS bigint))"
        );
        assert_eq!(idx, vec![0, 2, 13]);
        assert!(valid_table("public.cdr") && !valid_table("cdr; drop") && !valid_table(""));
    }
}
