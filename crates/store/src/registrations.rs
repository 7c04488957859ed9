//! SIP registrations (the registrar's bindings), so a restart keeps them.
//!
//! One row per (AOR, contact). Expiry is wall-clock seconds since the Unix epoch: the
//! registrar converts it to its monotonic clock when it restores the rows. chan_sip kept the
//! same facts in the astdb (`/SIP/Registry/PEER` = `ip:port:expiry:user:contact`); tandem
//! keeps several contacts per peer, hence a table.

/// One stored binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    /// The address-of-record: the peer name.
    pub aor: String,
    /// The Contact URI as registered.
    pub contact: String,
    /// When it expires, in seconds since the Unix epoch.
    pub expires_epoch: u64,
    pub call_id: String,
    pub cseq: u32,
    /// Where the REGISTER came from, `ip:port`.
    pub source: String,
    /// `UDP`, `TCP`, ...
    pub transport: String,
    pub user_agent: String,
    /// `Path` values joined with `,` ("" when none).
    pub path: String,
    /// `+sip.instance` ("" when none).
    pub instance: String,
    /// Requests go to `source` rather than to the contact (NAT).
    pub route_to_source: bool,
}

/// Columns in the order of [`RegistrationRow`]'s fields.
pub(crate) const COLUMNS: &str =
    "aor, contact, expires_epoch, call_id, cseq, source, transport, user_agent, path, instance, route_to_source";

pub(crate) fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RegistrationRow> {
    let expires: i64 = r.get(2)?;
    let cseq: i64 = r.get(4)?;
    Ok(RegistrationRow {
        aor: r.get(0)?,
        contact: r.get(1)?,
        expires_epoch: u64::try_from(expires).unwrap_or(0),
        call_id: r.get(3)?,
        cseq: u32::try_from(cseq).unwrap_or(0),
        source: r.get(5)?,
        transport: r.get(6)?,
        user_agent: r.get(7)?,
        path: r.get(8)?,
        instance: r.get(9)?,
        route_to_source: r.get::<_, i64>(10)? != 0,
    })
}
