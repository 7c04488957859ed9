//! Extension states as Asterisk's `AST_EXTENSION_*` (include/asterisk/pbx.h), the input of
//! every NOTIFY: the core computes the aggregate state of a `hint` and hands it here.

/// The state of a hinted extension (`ast_extension_state()` results).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtensionState {
    /// `AST_EXTENSION_NOT_INUSE` (0): idle.
    NotInUse,
    /// `AST_EXTENSION_INUSE` (1).
    InUse,
    /// `AST_EXTENSION_BUSY` (2).
    Busy,
    /// `AST_EXTENSION_UNAVAILABLE` (4): not registered.
    Unavailable,
    /// `AST_EXTENSION_RINGING` (8).
    Ringing,
    /// `AST_EXTENSION_INUSE | AST_EXTENSION_RINGING` (9): in use, and a second call rings.
    InUseRinging,
    /// `AST_EXTENSION_ONHOLD` (16).
    OnHold,
    /// `AST_EXTENSION_DEACTIVATED` (-2): the hint went away for a while (and the state chan_sip
    /// reports when a subscription times out).
    Deactivated,
    /// `AST_EXTENSION_REMOVED` (-1): the extension is gone.
    Removed,
}

impl ExtensionState {
    /// From Asterisk's integer value; `None` for a value it never produces.
    pub fn from_ast(v: i32) -> Option<ExtensionState> {
        Some(match v {
            0 => ExtensionState::NotInUse,
            1 => ExtensionState::InUse,
            2 => ExtensionState::Busy,
            4 => ExtensionState::Unavailable,
            8 => ExtensionState::Ringing,
            9 => ExtensionState::InUseRinging,
            16 => ExtensionState::OnHold,
            -2 => ExtensionState::Deactivated,
            -1 => ExtensionState::Removed,
            _ => return None,
        })
    }

    /// Asterisk's integer value.
    pub fn as_ast(self) -> i32 {
        match self {
            ExtensionState::NotInUse => 0,
            ExtensionState::InUse => 1,
            ExtensionState::Busy => 2,
            ExtensionState::Unavailable => 4,
            ExtensionState::Ringing => 8,
            ExtensionState::InUseRinging => 9,
            ExtensionState::OnHold => 16,
            ExtensionState::Deactivated => -2,
            ExtensionState::Removed => -1,
        }
    }

    /// The text of `ast_extension_state2str` (`core show hints`, `EXTENSION_STATE()`).
    pub fn name(self) -> &'static str {
        match self {
            ExtensionState::NotInUse => "Idle",
            ExtensionState::InUse => "InUse",
            ExtensionState::Busy => "Busy",
            ExtensionState::Unavailable => "Unavailable",
            ExtensionState::Ringing => "Ringing",
            ExtensionState::InUseRinging => "InUse&Ringing",
            ExtensionState::OnHold => "Hold",
            ExtensionState::Deactivated => "Deactivated",
            ExtensionState::Removed => "Removed",
        }
    }

    /// True when the `AST_EXTENSION_RINGING` bit is set (a positive state with bit 8).
    pub fn is_ringing(self) -> bool {
        matches!(self, ExtensionState::Ringing | ExtensionState::InUseRinging)
    }
}

/// One side of the ringing call, for `notifycid` (the caller of the channel that rings the
/// watched extension, and whom it is connected to). Names and numbers as the core knows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyId {
    /// `None`: no valid number (written as an empty user part, as chan_sip).
    pub number: Option<String>,
    /// Presentation restricted: the number shows as `anonymous@anonymous.invalid`.
    pub number_restricted: bool,
    pub name: Option<String>,
    /// Presentation restricted: the name shows as `anonymous`.
    pub name_restricted: bool,
}

/// The ringing channel, for `notifycid=yes` (chan_sip's `find_ringing_channel`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RingingCall {
    /// The caller (`ast_channel_caller` of the ringing channel): the `<local>` part.
    pub caller: PartyId,
    /// The connected party (`ast_channel_connected`): the `<remote>` part.
    pub connected: PartyId,
}

/// What the core knows about a hint when it changes: the state, and the extras chan_sip looks
/// at while it renders a NOTIFY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HintState {
    pub state: ExtensionState,
    /// Every device of the hint is `UNAVAILABLE` (chan_sip re-checks with `ast_device_state`):
    /// presence bodies then say closed / away / "Not online".
    pub all_devices_unavailable: bool,
    /// The channel that rings, when the state rings and the core can tell.
    pub ringing: Option<RingingCall>,
}

impl From<ExtensionState> for HintState {
    /// A state with no extras; `all_devices_unavailable` follows `Unavailable`.
    fn from(state: ExtensionState) -> HintState {
        HintState {
            state,
            all_devices_unavailable: state == ExtensionState::Unavailable,
            ringing: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ast_values_round_trip() {
        for v in [-2, -1, 0, 1, 2, 4, 8, 9, 16] {
            let s = ExtensionState::from_ast(v).unwrap();
            assert_eq!(s.as_ast(), v);
        }
        assert_eq!(ExtensionState::from_ast(3), None);
        assert_eq!(
            ExtensionState::from_ast(9).map(ExtensionState::name),
            Some("InUse&Ringing")
        );
    }
}
