//! Option names chan_sip knows but tandem does not implement (each a warning), so that an
//! unsupported option is told apart from a typo.

/// `[general]` options of chan_sip's `reload_config` (and the jitter-buffer, TLS, DTLS, T.38
/// and common-option readers it calls) that tandem does not implement.
pub const GENERAL_UNSUPPORTED: &[&str] = &[
    // handle_common_options / handle_t38_options
    "supportpath", "rpid_update", "rpid_immediate", "trust_id_outbound", "g726nonstandard", "useclientcode",
    "progressinband", "promiscredir", "videosupport", "textsupport", "allowoverlap", "allowsubscribe",
    "ignoresdpversion", "faxdetect", "rfc2833compensate", "buggymwi", "rtcp_mux", "t38pt_udptl",
    "t38pt_usertpsource",
    // ast_jb_read_conf
    "jbenable", "jbforce", "jbmaxsize", "jbresyncthreshold", "jbimpl", "jbtargetextra", "jblog",
    // ast_tls_read_conf
    "tlsenable", "sslenable", "tlsbindaddr", "sslbindaddr", "tlscertfile", "sslcert", "sslcertfile",
    "tlsprivatekey", "sslprivatekey", "tlscipher", "sslcipher", "tlscafile", "sslcafile", "tlscapath",
    "tlscadir", "sslcapath", "sslcadir", "tlsverifyclient", "sslverifyclient", "tlsdontverifyserver",
    "ssldontverifyserver", "tlsclientmethod", "sslclientmethod", "tlsservercipherorder",
    "tlsdisablev1", "tlsdisablev11", "tlsdisablev12",
    // ast_rtp_dtls_cfg_parse
    "dtlsenable", "dtlsverify", "dtlsrekey", "dtlscertfile", "dtlsprivatekey", "dtlscipher", "dtlscafile",
    "dtlscapath", "dtlssetup", "dtlsfingerprint", "dtlsautogeneratecert",
    // reload_config
    "recordonfeature", "recordofffeature", "subscribecontext", "callcounter", "domainsasrealm",
    "sdpsession", "sdpowner", "allowtransfer", "rtcachefriends", "rtsavesysname", "rtsavepath",
    "rtupdate", "ignoreregexpire", "timert1", "timerb", "t1min", "dynamic_exclude_static",
    "dynamic_excludes_static", "contactpermit", "contactdeny", "contactacl", "rtautoclear", "usereqphone",
    "prematuremedia", "relaxdtmf", "rtptimeout", "rtpholdtimeout", "rtpkeepalive", "compactheaders",
    "notifymimetype", "directrtpsetup", "notifyringing", "notifyhold", "notifycid",
    "auth_options_requests", "auth_message_requests", "accept_outofcall_message",
    "outofcall_message_context", "tonezone", "regcontext", "regextenonqualify",
    "legacy_useroption_parsing", "send_diversion", "send_oli", "uri_parameters_instead", "callerid",
    "mwi_from", "fromdomain", "outboundproxy", "autocreatepeer", "match_auth_username", "srvlookup",
    "pedantic", "submaxexpiry", "submaxexpirey", "subminexpiry", "subminexpirey", "mwiexpiry",
    "mwiexpirey", "tcpauthtimeout", "tcpauthlimit", "sipdebug", "dumphistory", "recordhistory",
    "registertimeout", "registerattempts", "register_retry_403", "media_address", "rtpbindaddr",
    "externhost", "externrefresh", "externtcpport", "externtlsport", "preferred_codec_only", "autoframing",
    "allowexternaldomains", "autodomain", "domain", "mwi", "tos_sip", "tos_audio", "tos_video", "tos_text",
    "cos_sip", "cos_audio", "cos_video", "cos_text", "keepalive", "authfailureevents", "maxcallbitrate",
    "matchexternaddrlocally", "matchexterniplocally", "storesipcause", "qualifygap", "qualifypeers",
    "disallowed_methods", "shrinkcallerid", "use_q850_reason", "maxforwards",
    "subscribe_network_change_event", "snom_aoc_enabled", "icesupport", "discard_remote_hold_retrieval",
    "parkinglot", "refer_addheaders", "websocket_write_timeout", "websocket_enabled",
];

/// Peer options of chan_sip's `build_peer` (and the readers it calls) that tandem does not
/// implement.
pub const PEER_UNSUPPORTED: &[&str] = &[
    "supportpath", "rpid_update", "rpid_immediate", "trust_id_outbound", "g726nonstandard", "useclientcode",
    "progressinband", "promiscredir", "videosupport", "textsupport", "allowoverlap", "allowsubscribe",
    "ignoresdpversion", "faxdetect", "rfc2833compensate", "buggymwi", "rtcp_mux", "t38pt_udptl",
    "t38pt_usertpsource", "mwi_from", "trunkname", "cid_tag", "recordonfeature", "recordofffeature",
    "outofcall_message_context", "subscribecontext", "usereqphone", "outboundproxy", "acl",
    "contactpermit", "contactdeny", "contactacl", "directmediapermit", "directmediadeny",
    "directmediaacl", "callingpres", "tonezone", "regexten", "callbackextension", "maxforwards",
    "parkinglot", "rtp_engine", "hasvoicemail", "subscribemwi", "callgroup", "allowtransfer",
    "pickupgroup", "namedcallgroup", "namedpickupgroup", "preferred_codec_only", "autoframing",
    "rtptimeout", "rtpholdtimeout", "rtpkeepalive", "timert1", "timerb", "setvar", "header",
    "maxcallbitrate", "session-timers", "session-expires", "session-minse", "session-refresher",
    "disallowed_methods", "unsolicited_mailbox", "use_q850_reason", "encryption", "encryption_taglen",
    "snom_aoc_enabled", "avpf", "icesupport", "ignore_requested_pref", "discard_remote_hold_retrieval",
    "force_avp", "keepalive", "callcounter", "busylevel", "dtlsenable", "dtlsverify", "dtlsrekey",
    "dtlscertfile", "dtlsprivatekey", "dtlscipher", "dtlscafile", "dtlscapath", "dtlssetup",
    "dtlsfingerprint", "dtlsautogeneratecert", "cc_agent_policy", "cc_monitor_policy", "cc_offer_timer",
    "ccnr_available_timer", "ccbs_available_timer", "cc_recall_timer", "cc_max_agents",
    "cc_max_monitors", "cc_callback_macro", "cc_callback_sub", "cc_agent_dialstring",
];
