//! Wire numbers of IAX2 (RFC 5456 sec. 8, Asterisk `iax2.h` and `frame.h`): frame types, IAX
//! command subclasses, control subclasses, media format bits, authentication methods.

/// IAX2 listens on UDP 4569 (`IAX_DEFAULT_PORTNO`).
pub const DEFAULT_PORT: u16 = 4569;
/// Protocol version sent in the VERSION IE of a NEW (`IAX_PROTO_VERSION`).
pub const PROTO_VERSION: u16 = 2;
/// Call numbers are 15 bits; 0 means "unknown" and 1 is what Asterisk's stateless
/// ("apathetic") replies use as their source call number.
pub const MAX_CALL_NUMBER: u16 = 0x7fff;

/// The frame type octet of a full frame (RFC 5456 sec. 8.2, Asterisk `enum ast_frame_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameType {
    /// DTMF digit end (Asterisk `AST_FRAME_DTMF_END`; RFC 5456 "DTMF").
    DtmfEnd,
    Voice,
    Video,
    Control,
    Null,
    Iax,
    Text,
    Image,
    Html,
    Cng,
    Modem,
    /// DTMF digit begin (Asterisk `AST_FRAME_DTMF_BEGIN`).
    DtmfBegin,
    Other(u8),
}

impl FrameType {
    pub fn from_u8(v: u8) -> FrameType {
        match v {
            1 => FrameType::DtmfEnd,
            2 => FrameType::Voice,
            3 => FrameType::Video,
            4 => FrameType::Control,
            5 => FrameType::Null,
            6 => FrameType::Iax,
            7 => FrameType::Text,
            8 => FrameType::Image,
            9 => FrameType::Html,
            10 => FrameType::Cng,
            11 => FrameType::Modem,
            12 => FrameType::DtmfBegin,
            other => FrameType::Other(other),
        }
    }

    pub fn to_u8(self) -> u8 {
        match self {
            FrameType::DtmfEnd => 1,
            FrameType::Voice => 2,
            FrameType::Video => 3,
            FrameType::Control => 4,
            FrameType::Null => 5,
            FrameType::Iax => 6,
            FrameType::Text => 7,
            FrameType::Image => 8,
            FrameType::Html => 9,
            FrameType::Cng => 10,
            FrameType::Modem => 11,
            FrameType::DtmfBegin => 12,
            FrameType::Other(v) => v,
        }
    }
}

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $val:expr,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $var,)* Other(u64) }
        impl $name {
            pub fn from_u64(v: u64) -> $name {
                match v { $($val => $name::$var,)* other => $name::Other(other) }
            }
            pub fn to_u64(self) -> u64 {
                match self { $($name::$var => $val,)* $name::Other(v) => v }
            }
        }
    };
}

wire_enum!(
    /// Subclass of an IAX (type 6) frame (`enum iax_frame_subclass`).
    IaxCommand {
        New = 1, Ping = 2, Pong = 3, Ack = 4, Hangup = 5, Reject = 6, Accept = 7,
        AuthReq = 8, AuthRep = 9, Inval = 10, LagRq = 11, LagRp = 12, RegReq = 13,
        RegAuth = 14, RegAck = 15, RegRej = 16, RegRel = 17, Vnak = 18, DpReq = 19,
        DpRep = 20, Dial = 21, TxReq = 22, TxCnt = 23, TxAcc = 24, TxReady = 25,
        TxRel = 26, TxRej = 27, Quelch = 28, Unquelch = 29, Poke = 30, Page = 31,
        Mwi = 32, Unsupport = 33, Transfer = 34, Provision = 35, FwDownl = 36,
        FwData = 37, TxMedia = 38, RtKey = 39, CallToken = 40,
    }
);

wire_enum!(
    /// Subclass of a control (type 4) frame (`enum ast_control_frame_type`).
    ControlKind {
        Hangup = 1, Ring = 2, Ringing = 3, Answer = 4, Busy = 5, TakeOffHook = 6,
        OffHook = 7, Congestion = 8, Flash = 9, Wink = 10, Option = 11, RadioKey = 12,
        RadioUnkey = 13, Progress = 14, Proceeding = 15, Hold = 16, Unhold = 17,
        VidUpdate = 18, SrcUpdate = 20, Transfer = 21, ConnectedLine = 22,
        Redirecting = 23, SrcChange = 26, Incomplete = 30,
    }
);

/// Media format bits (Asterisk `format_compatibility.h`, the `iax2_format` bitfield used in
/// the FORMAT/CAPABILITY IEs and, compressed, in the subclass of voice frames).
pub mod format {
    pub const G723_1: u64 = 1 << 0;
    pub const GSM: u64 = 1 << 1;
    pub const ULAW: u64 = 1 << 2;
    pub const ALAW: u64 = 1 << 3;
    pub const G726_AAL2: u64 = 1 << 4;
    pub const ADPCM: u64 = 1 << 5;
    pub const SLIN: u64 = 1 << 6;
    pub const LPC10: u64 = 1 << 7;
    pub const G729: u64 = 1 << 8;
    pub const SPEEX: u64 = 1 << 9;
    pub const ILBC: u64 = 1 << 10;
    pub const G726: u64 = 1 << 11;
    pub const G722: u64 = 1 << 12;
    pub const SIREN7: u64 = 1 << 13;
    pub const SIREN14: u64 = 1 << 14;
    pub const SLIN16: u64 = 1 << 15;
    pub const JPEG: u64 = 1 << 16;
    pub const PNG: u64 = 1 << 17;
    pub const H261: u64 = 1 << 18;
    pub const H263: u64 = 1 << 19;
    pub const H263P: u64 = 1 << 20;
    pub const H264: u64 = 1 << 21;
    pub const MP4: u64 = 1 << 22;
    pub const VP8: u64 = 1 << 23;
    pub const T140_RED: u64 = 1 << 26;
    pub const T140: u64 = 1 << 27;
    pub const G719: u64 = 1 << 32;
    pub const SPEEX16: u64 = 1 << 33;
    pub const OPUS: u64 = 1 << 34;

    /// The best format of a set, in the order Asterisk's
    /// `iax2_format_compatibility_best` prefers (quality first: linear, G.722, G.711...).
    pub fn best(set: u64) -> Option<u64> {
        const ORDER: [u64; 20] = [
            SLIN16, SLIN, G722, SIREN14, SIREN7, G719, ULAW, ALAW, G726, G726_AAL2, ADPCM, GSM,
            ILBC, SPEEX16, SPEEX, OPUS, LPC10, G729, G723_1, 0,
        ];
        ORDER.iter().copied().find(|f| *f != 0 && set & f != 0)
    }

    /// Asterisk's name for a single format bit (`iax2_getformatname`).
    pub fn name(bit: u64) -> &'static str {
        match bit {
            G723_1 => "g723",
            GSM => "gsm",
            ULAW => "ulaw",
            ALAW => "alaw",
            G726_AAL2 => "g726aal2",
            ADPCM => "adpcm",
            SLIN => "slin",
            LPC10 => "lpc10",
            G729 => "g729",
            SPEEX => "speex",
            ILBC => "ilbc",
            G726 => "g726",
            G722 => "g722",
            SIREN7 => "siren7",
            SIREN14 => "siren14",
            SLIN16 => "slin16",
            G719 => "g719",
            SPEEX16 => "speex16",
            OPUS => "opus",
            _ => "unknown",
        }
    }
}

/// AUTHMETHODS bits (`IAX_AUTH_*`).
pub mod auth_method {
    pub const PLAINTEXT: u16 = 1 << 0;
    pub const MD5: u16 = 1 << 1;
    pub const RSA: u16 = 1 << 2;
}

/// Meta frame commands (`IAX_META_*`) and trunk flavours (`IAX_META_TRUNK_*`).
pub mod meta {
    pub const TRUNK: u8 = 1;
    pub const VIDEO: u8 = 2;
    /// Trunk entries are `callno, len` ("supermini", no per-call timestamp).
    pub const TRUNK_SUPERMINI: u8 = 0;
    /// Trunk entries are `len, mini header` (trunktimestamps=yes).
    pub const TRUNK_MINI: u8 = 1;
}

/// Q.850 cause codes chan_iax2 puts in CAUSECODE IEs.
pub mod cause {
    pub const UNALLOCATED: u8 = 1;
    pub const NO_ROUTE_DESTINATION: u8 = 3;
    pub const NORMAL_CLEARING: u8 = 16;
    pub const USER_BUSY: u8 = 17;
    pub const NO_ANSWER: u8 = 19;
    pub const CALL_REJECTED: u8 = 21;
    pub const DESTINATION_OUT_OF_ORDER: u8 = 27;
    pub const FACILITY_REJECTED: u8 = 29;
    pub const NORMAL_CIRCUIT_CONGESTION: u8 = 34;
    pub const FACILITY_NOT_SUBSCRIBED: u8 = 50;
    pub const BEARERCAPABILITY_NOTAVAIL: u8 = 58;
}
