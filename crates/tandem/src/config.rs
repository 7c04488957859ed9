//! Loading a configuration directory: extensions.conf into a dialplan, the other files
//! checked for syntax, every message as `PATH:LINE: error|warning: MESSAGE`.

use std::path::Path;
use std::process::ExitCode;

use tandem_conf::views::{IaxConf, ManagerConf, RtpConf, SipConf};
use tandem_conf::{Diagnostic, FsSource, Severity, Source, Span};
use tandem_dialplan::Dialplan;

/// Files tandem reads today besides extensions.conf, and files it knows of but whose
/// settings no part of tandem reads yet (reported, never silently ignored).
const NOT_YET_READ: &[(&str, &str)] = &[("tandem.conf", "tandem's own settings")];

/// What a configuration directory holds, once loaded.
pub struct Loaded {
    pub dialplan: Dialplan,
    /// `sip.conf`, when there is one.
    pub sip: Option<SipConf>,
    /// `iax.conf`, when there is one.
    pub iax: Option<IaxConf>,
    pub rtp: RtpConf,
    /// `manager.conf` (the AMI), when there is one.
    pub manager: Option<ManagerConf>,
    /// What the channel applications read (voicemail.conf, musiconhold.conf, ...).
    pub apps: crate::apps::Confs,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    pub fn print(&self) {
        for d in &self.diagnostics {
            eprintln!("{d}");
        }
    }
}

/// Load extensions.conf from `source` into a dialplan.
pub fn load_dialplan(source: &dyn Source) -> Loaded {
    let Some(loaded) = tandem_conf::load_optional(source, "extensions.conf") else {
        return Loaded {
            dialplan: Dialplan::default(),
            sip: None,
            iax: None,
            rtp: RtpConf::default(),
            manager: None,
            apps: Default::default(),
            diagnostics: vec![Diagnostic::warning(
                Span::new("extensions.conf", 0),
                "no such file: the dialplan is empty",
            )],
        };
    };
    let mut diagnostics = loaded.diagnostics;
    let (dialplan, more) = tandem_dialplan::load::load(
        &loaded.config,
        &tandem_core::apps::is_known,
        &tandem_dialplan::functions::is_known,
    );
    diagnostics.extend(more);
    sort_by_place(&mut diagnostics);
    Loaded {
        dialplan,
        sip: None,
        iax: None,
        rtp: RtpConf::default(),
        manager: None,
        apps: Default::default(),
        diagnostics,
    }
}

/// Messages of one file in line order (a stable sort: same-line messages keep their order).
fn sort_by_place(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.file.as_ref(), a.span.line).cmp(&(b.span.file.as_ref(), b.span.line))
    });
}

/// Load everything in `source`: the dialplan, sip.conf, rtp.conf, and the syntax of every
/// other known file.
pub fn load_all(source: &dyn Source) -> Loaded {
    use tandem_conf::views::acl_conf;
    let mut loaded = load_dialplan(source);
    // acl.conf: read once, its messages reported once, its names resolved for every file.
    let (named, mut acl_diags) = acl_conf::load_named(source);
    sort_by_place(&mut acl_diags);
    loaded.diagnostics.extend(acl_diags);
    if let Some(sip) = tandem_conf::load_optional(source, "sip.conf") {
        let (mut view, mut diags) = SipConf::from_config(&sip.config);
        diags.extend(acl_conf::resolve_sip_with(&mut view, &named));
        let mut all = sip.diagnostics;
        all.append(&mut diags);
        sort_by_place(&mut all);
        loaded.diagnostics.extend(all);
        loaded.sip = Some(view);
    }
    if let Some(iax) = tandem_conf::load_optional(source, "iax.conf") {
        let (mut view, mut diags) = IaxConf::from_config(&iax.config);
        diags.extend(acl_conf::resolve_iax(&mut view, &named));
        let mut all = iax.diagnostics;
        all.append(&mut diags);
        sort_by_place(&mut all);
        loaded.diagnostics.extend(all);
        loaded.iax = Some(view);
    }
    if let Some(rtp) = tandem_conf::load_optional(source, "rtp.conf") {
        let (view, mut diags) = RtpConf::from_config(&rtp.config);
        let mut all = rtp.diagnostics;
        all.append(&mut diags);
        sort_by_place(&mut all);
        loaded.diagnostics.extend(all);
        loaded.rtp = view;
    }
    if let Some(manager) = tandem_conf::load_optional(source, "manager.conf") {
        let (mut view, mut diags) = ManagerConf::from_config(&manager.config);
        diags.extend(acl_conf::resolve_manager(&mut view, &named));
        let mut all = manager.diagnostics;
        all.append(&mut diags);
        sort_by_place(&mut all);
        loaded.diagnostics.extend(all);
        loaded.manager = Some(view);
    }
    loaded.apps = crate::apps::Confs::load(source, &mut loaded.diagnostics);
    // http.conf (the metrics endpoint): checked here, read again by the daemon.
    let _ = crate::ops::http::load(source, &mut loaded.diagnostics);
    for (file, what) in NOT_YET_READ {
        if let Some(other) = tandem_conf::load_optional(source, file) {
            loaded.diagnostics.extend(other.diagnostics);
            loaded.diagnostics.push(Diagnostic::warning(
                Span::new(*file, 0),
                format!("not read: {what} is not part of this version of tandem yet"),
            ));
        }
    }
    loaded
}

fn source_for(dir: &Path) -> Result<FsSource, ExitCode> {
    if !dir.is_dir() {
        eprintln!(
            "tandem: config directory {}: not a directory",
            dir.display()
        );
        return Err(ExitCode::from(1));
    }
    Ok(FsSource::new(dir))
}

/// `tandem check --config DIR`.
pub fn check(dir: &Path) -> ExitCode {
    let source = match source_for(dir) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let loaded = load_all(&source);
    for d in &loaded.diagnostics {
        println!("{d}");
    }
    if loaded.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `tandem dialplan show --config DIR [CONTEXT]`.
pub fn show_dialplan(dir: &Path, context: Option<&str>) -> ExitCode {
    let source = match source_for(dir) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let loaded = load_dialplan(&source);
    loaded.print();
    if loaded.has_errors() {
        return ExitCode::from(1);
    }
    if let Some(name) = context {
        if loaded.dialplan.context(name).is_none() {
            println!("There is no existence of '{name}' context");
            return ExitCode::from(1);
        }
    }
    print!("{}", tandem_dialplan::show::show(&loaded.dialplan, context));
    ExitCode::SUCCESS
}
