//! The built-in demo configuration that `tandem` with no arguments runs: two SIP accounts with
//! fresh secrets, an echo test and a playback demo.

use std::io::Read;

use tandem_conf::MemSource;

pub struct Demo {
    secrets: [String; 2],
}

const ACCOUNTS: [&str; 2] = ["alice", "bob"];

impl Demo {
    pub fn generate() -> Self {
        Demo {
            secrets: [secret(), secret()],
        }
    }

    pub fn print_banner(&self) {
        eprintln!("tandem demo configuration:");
        for (i, name) in ACCOUNTS.iter().enumerate() {
            eprintln!(
                "  SIP account {name} (extension {}), secret {}",
                6001 + i,
                self.secrets[i]
            );
        }
        eprintln!(
            "  SIP on udp port 5060: register a softphone as alice or bob (server: this machine)"
        );
        eprintln!("  6001/6002 ring the accounts; 600 is an echo test, 601 a playback demo");
        eprintln!(
            "  (SIP listens on every address; SDP says 127.0.0.1: use a softphone on this machine)"
        );
    }

    pub fn source(&self) -> MemSource {
        let sip = format!(
            "[general]\ncontext=unauthenticated\nallowguest=no\nalwaysauthreject=yes\nbindport=5060\n\n\
             [phone](!)\ntype=friend\nhost=dynamic\ncontext=demo-phones\ndisallow=all\nallow=ulaw,alaw\n\n\
             [{a}](phone)\nsecret={sa}\ncallerid=\"Alice\" <6001>\n\n\
             [{b}](phone)\nsecret={sb}\ncallerid=\"Bob\" <6002>\n",
            a = ACCOUNTS[0],
            sa = self.secrets[0],
            b = ACCOUNTS[1],
            sb = self.secrets[1],
        );
        MemSource::new()
            .with("extensions.conf", EXTENSIONS)
            .with("sip.conf", &sip)
    }
}

const EXTENSIONS: &str = "\
[general]
static=yes
writeprotect=no
autofallthrough=yes

[unauthenticated]
; callers who did not authenticate can reach nothing

[demo-phones]
exten => 600,1,Answer()
 same => n,Playback(demo-echotest)
 same => n,Echo()
 same => n,Playback(demo-echodone)
 same => n,Hangup()

exten => 601,1,Answer()
 same => n,Playback(demo-congrats)
 same => n,Hangup()

exten => _600[12],1,Dial(SIP/${IF($[${EXTEN} = 6001]?alice:bob)},20)
 same => n,Hangup()
";

/// 16 random characters from the kernel's generator.
fn secret() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    let ok = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .is_ok();
    if !ok {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (t >> (i % 16 * 8)) as u8 ^ (i as u8).wrapping_mul(97);
        }
    }
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}
