//! The sans-IO user agent (in progress; see `docs/sip-ua.md`).
