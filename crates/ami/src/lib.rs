//! Sans-IO AMI (Asterisk Manager Interface).
