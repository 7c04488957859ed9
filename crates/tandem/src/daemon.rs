//! `tandem run` and `tandem` (demo): the daemon in the foreground.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use tandem_conf::{FsSource, Source};
use tandem_core::Shared;
use tandem_store::{SqliteStore, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

use crate::control::{self, Daemon};
use crate::{config, demo, localtime};

/// Logs to stderr; `TANDEM_LOG` (or `RUST_LOG`) overrides the level, e.g. `TANDEM_LOG=debug`.
pub fn init_logging(default: &str) {
    let filter = std::env::var("TANDEM_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default.to_string());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// `tandem run --config DIR`.
pub fn run(config_dir: &Path, data: &Path) -> ExitCode {
    init_logging("info");
    if !config_dir.is_dir() {
        eprintln!(
            "tandem: config directory {}: not a directory",
            config_dir.display()
        );
        return ExitCode::from(1);
    }
    serve(&FsSource::new(config_dir), Some(config_dir), data)
}

/// `tandem` with no arguments: the built-in demo configuration.
pub fn run_demo(data: &Path) -> ExitCode {
    init_logging("info");
    let demo = demo::Demo::generate();
    demo.print_banner();
    serve(&demo.source(), None, data)
}

fn serve(source: &dyn Source, config_dir: Option<&Path>, data: &Path) -> ExitCode {
    let loaded = config::load_all(source);
    loaded.print();
    if loaded.has_errors() {
        return ExitCode::from(1);
    }
    if let Err(e) = std::fs::create_dir_all(data) {
        eprintln!("tandem: data directory {}: {e}", data.display());
        return ExitCode::from(1);
    }
    crate::media::sounds::configure(data);
    crate::apps::vm_spool::configure(data);
    let db = data.join("tandem.db");
    let store: Arc<dyn Store> = match SqliteStore::open(&db) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("tandem: store {}: {e}", db.display());
            return ExitCode::from(1);
        }
    };
    crate::cdr::configure(source, data, store.clone());
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    let shared = Arc::new(Shared::new(
        loaded.dialplan,
        store,
        Box::new(localtime::now),
        seed,
    ));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tandem: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let sip_conf = loaded.sip.map(Arc::new);
    let iax_conf = loaded.iax.map(Arc::new);
    let rtp = loaded.rtp;
    let manager = loaded.manager.filter(|m| m.enabled);
    let http = crate::ops::http::load(source, &mut Vec::new()).filter(|h| h.enabled);
    let config_dir = config_dir.map(Path::to_path_buf);
    let world = Arc::new(crate::channels::World {
        shared: shared.clone(),
        registry: Default::default(),
        channels: Default::default(),
        apps: loaded.apps,
        ami: Default::default(),
    });
    crate::local::register(&world, rtp.first_port(), rtp.last_port());
    runtime.block_on(async move {
        // One ban list for SIP, IAX2 and the AMI, each counted by its own file's settings.
        let security = crate::security::Security::new(
            sip_conf.as_deref(),
            iax_conf.as_deref(),
            manager.as_ref(),
            std::time::Instant::now(),
        );
        security.spawn_timer();
        let sip = match sip_conf {
            Some(conf) => {
                match crate::sip::start(conf, &rtp, world.clone(), security.clone()).await {
                    Ok(h) => Some(h),
                    Err(e) => {
                        eprintln!("tandem: SIP: cannot listen: {e}");
                        return ExitCode::from(1);
                    }
                }
            }
            None => None,
        };
        let iax = match iax_conf {
            Some(conf) => {
                match crate::iax2::start(conf, &rtp, world.clone(), security.clone()).await {
                    Ok(h) => Some(h),
                    Err(e) => {
                        eprintln!("tandem: IAX2: cannot listen: {e}");
                        return ExitCode::from(1);
                    }
                }
            }
            None => None,
        };
        let daemon = Arc::new(Daemon {
            shared,
            sip,
            iax,
            world: Some(world),
            config_dir,
            ops: Default::default(),
            security,
        });
        if let Some(conf) = http {
            if let Err(e) = crate::ops::http::start(&conf, daemon.clone()).await {
                eprintln!("tandem: HTTP (metrics) {}: cannot listen: {e}", conf.bind);
                return ExitCode::from(1);
            }
        }
        if let Some(conf) = manager {
            if let Err(e) = crate::ami::start(conf, daemon.clone()).await {
                eprintln!("tandem: manager interface (AMI): cannot listen: {e}");
                return ExitCode::from(1);
            }
        }
        serve_async(daemon, data).await
    })
}

async fn serve_async(daemon: Arc<Daemon>, data: &Path) -> ExitCode {
    let path = match control::socket_path(data) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("tandem: {e}");
            return ExitCode::from(1);
        }
    };
    if path.exists() {
        if UnixStream::connect(&path).await.is_ok() {
            eprintln!(
                "tandem: another tandem is running with --data {} ({} answers)",
                data.display(),
                path.display()
            );
            return ExitCode::from(1);
        }
        let _ = std::fs::remove_file(&path);
    }
    let listener = match UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("tandem: control socket {}: {e}", path.display());
            return ExitCode::from(1);
        }
    };
    tracing::info!("control socket {}", path.display());
    crate::ops::trim::spawn();
    eprintln!("tandem ready");
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let daemon = daemon.clone();
                    tokio::spawn(async move { control_connection(daemon, stream).await });
                }
                Err(e) => tracing::warn!("control socket: {e}"),
            },
            () = &mut shutdown => break,
            () = daemon.ops.stop_notify.notified() => {
                if daemon.ops.stop_requested() == crate::ops::Stop::Now {
                    tracing::info!("core stop now");
                    stop_now(&daemon).await;
                    break;
                }
                tracing::info!("core stop gracefully: refusing new calls");
            }
            _ = tick.tick(), if daemon.ops.stop_requested() == crate::ops::Stop::Gracefully => {
                if crate::ops::active_calls(&daemon).0 == 0 {
                    tracing::info!("core stop gracefully: no call left");
                    break;
                }
            }
        }
    }
    let _ = std::fs::remove_file(&path);
    tracing::info!("tandem stopped");
    ExitCode::SUCCESS
}

/// `core stop now`: hang up every channel and give the drivers a moment to say BYE.
async fn stop_now(daemon: &Daemon) {
    let Some(world) = &daemon.world else { return };
    for (name, _) in world.channels.rows() {
        world.ami.hangup(&name, tandem_core::cause::NORMAL_CLEARING);
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
    while crate::ops::active_calls(daemon).0 > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn shutdown_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot watch SIGTERM: {e}");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

/// One CLI command: read a line (bounded, with a deadline), answer, close.
async fn control_connection(daemon: Arc<Daemon>, mut stream: UnixStream) {
    let mut buf = Vec::with_capacity(256);
    let read = async {
        let mut chunk = [0u8; 512];
        loop {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            if buf.contains(&b'\n') || buf.len() > control::MAX_COMMAND {
                break;
            }
        }
        Ok::<(), std::io::Error>(())
    };
    match tokio::time::timeout(std::time::Duration::from_secs(10), read).await {
        Ok(Ok(())) => {}
        _ => return,
    }
    if buf.len() > control::MAX_COMMAND {
        let _ = stream.write_all(b"Command too long\n").await;
        return;
    }
    let line = String::from_utf8_lossy(&buf);
    let line = line.lines().next().unwrap_or_default().trim().to_string();
    tracing::debug!("cli: {line}");
    let d = daemon.clone();
    let out = tokio::task::spawn_blocking(move || control::handle(&d, &line))
        .await
        .unwrap_or_else(|e| format!("internal error: {e}\n"));
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}
