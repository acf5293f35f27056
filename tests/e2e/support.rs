//! Helpers for the end-to-end tests: seed a database with the real CLI, start tauri-driver
//! (which starts WebKitWebDriver, which starts the real app), and talk WebDriver to the window.
//! Needs a display: `make test` runs these under Xvfb.

#[path = "../support/fixture_server.rs"]
pub mod fixture_server;
#[path = "../support/postgres.rs"]
pub mod postgres;

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(20);

/// The app binary under test: `TABLEMAP_BIN`, or the workspace's debug build.
pub fn binary() -> PathBuf {
    std::env::var_os("TABLEMAP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/tablemap"))
}

/// Runs the CLI on `db` and returns its stdout; fails the test on a non-zero exit.
pub fn cli(db: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(binary()).arg("--db").arg(db).args(args).output().context("run tablemap")?;
    if !out.status.success() {
        bail!("tablemap {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}

pub fn cli_json(db: &Path, args: &[&str]) -> Result<Value> {
    Ok(serde_json::from_str(&cli(db, args)?)?)
}

/// Which key the app is started with.
pub enum KeyChoice<'a> {
    /// The key file every test uses (`TABLEMAP_KEY_FILE` from .cargo/config.toml).
    AsTheTests,
    /// Another key file.
    File(&'a Path),
    /// None named: the keyring, else a key file in the home folder.
    Unnamed,
}

/// Runs `xdotool` on the test's X display: it types into native windows (GTK's save and folder
/// dialogs) that WebDriver cannot reach.
pub fn xdotool(args: &[&str]) -> Result<String> {
    let out = Command::new("xdotool").args(args).output().context("run xdotool (apt-get install xdotool)")?;
    if !out.status.success() {
        anyhow::bail!("xdotool {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Waits for a visible native window whose title is `title`; answers its id.
pub fn native_window(title: &str) -> Result<String> {
    let started = std::time::Instant::now();
    loop {
        let found = xdotool(&["search", "--onlyvisible", "--name", &format!("^{title}$")]);
        match found {
            Ok(ids) if !ids.is_empty() => return Ok(ids.lines().last().unwrap_or_default().to_string()),
            _ if started.elapsed() > WAIT => anyhow::bail!("no window called {title:?} appeared"),
            _ => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// One running app window, driven through WebDriver.
pub struct App {
    pub client: Client,
    driver: Child,
}

impl App {
    /// Starts the app on `db` with its tile cache at `tile_cache`.
    pub async fn launch(db: &Path, tile_cache: &Path) -> Result<App> {
        Self::launch_keyed(db, tile_cache, KeyChoice::AsTheTests).await
    }

    /// `launch` with the key chosen: the tests' key file, another one, or none named (the app
    /// then finds or makes its key as a person's would, in the test's home).
    pub async fn launch_keyed(db: &Path, tile_cache: &Path, key: KeyChoice<'_>) -> Result<App> {
        let port = free_port()?;
        let native = free_port()?;
        let mut command = Command::new(tauri_driver());
        match key {
            KeyChoice::AsTheTests => {}
            KeyChoice::File(path) => {
                command.env("TABLEMAP_KEY_FILE", path);
            }
            KeyChoice::Unnamed => {
                command.env_remove("TABLEMAP_KEY_FILE");
            }
        }
        let driver = command
            // Its own process group, so stopping it also stops WebKitWebDriver and the app.
            .process_group(0)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("TABLEMAP_DB", db)
            // A home of its own: WebKit's data and any default export folder stay in the test's temp dir.
            .env("HOME", db.parent().unwrap_or(Path::new("/tmp")))
            .env("TABLEMAP_TILE_CACHE", tile_cache)
            .stdout(Stdio::null())
            // TABLEMAP_E2E_LOG=FILE keeps what the driver, WebKit and the app print (for crashes).
            .stderr(match std::env::var_os("TABLEMAP_E2E_LOG") {
                Some(path) => std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
                None => Stdio::null(),
            })
            .spawn()
            .context("start tauri-driver (make test installs it with cargo install tauri-driver)")?;
        let mut app_driver = DriverGuard(Some(driver));
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > WAIT {
                bail!("tauri-driver did not listen on port {port}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert("tauri:options".into(), json!({ "application": binary() }));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("open a WebDriver session on the app")?;
        let app = App { client, driver: app_driver.0.take().context("driver")? };
        // The window is ready when the list has rows or says it is empty, or when it says the
        // database cannot be opened.
        app.wait_for("#restaurant-list li, .sidebar .empty, #startup-problem").await?;
        Ok(app)
    }

    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element> {
        let found = self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await;
        match found {
            Ok(el) => Ok(el),
            Err(e) => {
                let seen = self.diagnose().await;
                Err(anyhow::Error::new(e).context(format!("waiting for {css}; the window showed: {seen}")))
            }
        }
    }

    /// Clicks the element `css` until `then` appears: a list re-rendered by a sync that just
    /// finished can take the first click away from the row it was aimed at.
    pub async fn click_until(&self, css: &str, then: &str) -> Result<fantoccini::elements::Element> {
        for _ in 0..3 {
            // A click on a row that was just replaced fails or lands nowhere: try again.
            let _ = self.wait_for(css).await?.click().await;
            let shown =
                self.client.wait().at_most(Duration::from_secs(3)).for_element(Locator::Css(then)).await;
            if let Ok(el) = shown {
                return Ok(el);
            }
        }
        self.wait_for(then).await
    }

    /// Saves a screenshot as `NAME.png` in `$TABLEMAP_E2E_SHOTS` when that is set (for looking at
    /// the window as a person would); does nothing otherwise.
    pub async fn shot(&self, name: &str) -> Result<()> {
        if let Some(dir) = std::env::var_os("TABLEMAP_E2E_SHOTS") {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(Path::new(&dir).join(format!("{name}.png")), self.client.screenshot().await?)?;
        }
        Ok(())
    }

    /// What a person would see when a wait fails: toasts, the map's size and its markers,
    /// plus a screenshot under target/e2e-failures.
    async fn diagnose(&self) -> String {
        let state = self
            .client
            .execute(
                "const m = document.querySelector('.map')?.getBoundingClientRect();                  return JSON.stringify({ toasts: [...document.querySelectorAll('.toast')].map(t => t.textContent),                    map: m ? [m.width, m.height] : null, markers: document.querySelectorAll('#map-items li').length,                    rows: document.querySelectorAll('#restaurant-list li').length });",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|e| format!("(no state: {e})"));
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e-failures");
        if let Ok(png) = self.client.screenshot().await {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("{}-{n}.png", std::process::id());
            if std::fs::create_dir_all(&dir).is_ok() && std::fs::write(dir.join(&name), png).is_ok() {
                return format!("{state} (screenshot target/e2e-failures/{name})");
            }
        }
        state
    }

    /// Waits until exactly `n` elements match.
    pub async fn wait_count(&self, css: &str, n: usize) -> Result<()> {
        let start = Instant::now();
        loop {
            let found = self.count(css).await?;
            if found == n {
                return Ok(());
            }
            if start.elapsed() > WAIT {
                bail!("waited for {n} of {css}, found {found}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element's text contains `needle`; answers the text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> Result<String> {
        self.wait_text_where(css, &format!("say {needle:?}"), |t| t.contains(needle)).await
    }

    /// Waits until the text of an element matching `css` passes `ok` (`what` says what was
    /// awaited); answers that text. Every match counts (toasts stack), and the texts are read in
    /// one script, so an element that goes meanwhile is no error.
    pub async fn wait_text_where(&self, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
        let start = Instant::now();
        loop {
            let texts = self
                .client
                .execute(
                    "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent);",
                    vec![Value::String(css.to_string())],
                )
                .await?;
            let texts: Vec<String> = serde_json::from_value(texts).unwrap_or_default();
            if let Some(text) = texts.iter().find(|t| ok(t)) {
                return Ok(text.clone());
            }
            let text = texts.join(" | ");
            if start.elapsed() > WAIT {
                let seen = self.diagnose().await;
                bail!("waited for {css} to {what}; it says {text:?}; the window showed: {seen}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let el = self.wait_for(css).await?;
        self.client
            .execute("arguments[0].scrollIntoView({ block: 'center' });", vec![serde_json::to_value(&el)?])
            .await?;
        el.clear().await.with_context(|| format!("clearing {css}"))?;
        // WebDriver's clear fires no `input` event; the UI's bindings listen for one.
        self.client
            .execute(
                "arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![serde_json::to_value(&el)?],
            )
            .await?;
        if !text.is_empty() {
            el.send_keys(text).await?;
        }
        Ok(())
    }

    /// Scrolls the element into view, as a person would, and clicks it.
    pub async fn click(&self, css: &str) -> Result<()> {
        let el = self.wait_for(css).await?;
        self.client
            .execute("arguments[0].scrollIntoView({ block: 'center' });", vec![serde_json::to_value(&el)?])
            .await?;
        el.click().await.with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    /// Chooses an option of a <select> the way a person's pick does: sets it and fires `change`.
    /// (WebKitWebDriver cannot click <option> elements of a native drop-down.)
    pub async fn choose(&self, css: &str, value: &str) -> Result<()> {
        let el = self.wait_for(css).await?;
        let arg = serde_json::to_value(&el)?;
        let done = self
            .client
            .execute(
                "const [s, v] = arguments; if (![...s.options].some(o => o.value === v)) return false; \
                 s.value = v; s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
                vec![arg, json!(value)],
            )
            .await?;
        if done != json!(true) {
            bail!("{css} has no option {value}");
        }
        Ok(())
    }

    /// The element's text as rendered (textContent, so text clipped by CSS still counts).
    pub async fn text_of(&self, css: &str) -> Result<String> {
        let el = self.wait_for(css).await?;
        let v =
            self.client.execute("return arguments[0].textContent;", vec![serde_json::to_value(&el)?]).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Sends keys to whatever has focus, as typing does.
    pub async fn press(&self, keys: &str) -> Result<()> {
        self.client.active_element().await?.send_keys(keys).await?;
        Ok(())
    }

    /// The id of the focused element ("" when it has none).
    pub async fn focused_id(&self) -> Result<String> {
        let v = self
            .client
            .execute("return document.activeElement ? document.activeElement.id : '';", vec![])
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    pub async fn script(&self, js: &str) -> Result<Value> {
        Ok(self.client.execute(js, vec![]).await?)
    }

    /// Ends the session (which closes the app) and stops the driver.
    pub async fn quit(mut self) -> Result<()> {
        let result = self.client.clone().close().await;
        stop_group(&mut self.driver);
        result?;
        Ok(())
    }
}

impl Drop for App {
    fn drop(&mut self) {
        stop_group(&mut self.driver);
    }
}

/// Stops tauri-driver and everything it started (its process group).
fn stop_group(child: &mut Child) {
    let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", child.id())]).status();
    let _ = child.kill();
    let _ = child.wait();
}

struct DriverGuard(Option<Child>);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            stop_group(&mut c);
        }
    }
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|c| c.join("bin/tauri-driver"));
    match cargo_bin {
        Some(p) if p.exists() => p,
        _ => PathBuf::from("tauri-driver"),
    }
}
