//! Typed views over a parsed [`Config`](crate::Config): `sip.conf`, `rtp.conf`, and the ACLs
//! they share. Pure: no I/O, no DNS, no clock. Each view returns what it understood plus every
//! message about the file (`PATH:LINE: error|warning: MESSAGE`), so nothing is ignored silently.

pub mod acl;
pub mod acl_conf;
pub mod autoban;
pub mod features;
pub mod http;
pub mod iax;
pub mod indications;
pub mod manager;
pub mod musiconhold;
pub mod rtp;
pub mod sip;
mod util;
pub mod voicemail;

pub use acl::{Acl, AclRule, Sense};
pub use acl_conf::{AclList, NamedAcls};
pub use features::FeaturesConf;
pub use http::HttpConf;
pub use iax::IaxConf;
pub use indications::Indications;
pub use manager::ManagerConf;
pub use musiconhold::MohConf;
pub use rtp::RtpConf;
pub use sip::SipConf;
pub use voicemail::VoicemailConf;
