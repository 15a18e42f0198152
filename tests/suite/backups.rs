//! Backups carry the secret key, rotate in a folder, and a restore never runs under a server:
//! the real binary on real files.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::helpers::{Running, free_port, repo, run, text, wait_for};

/// The database of an installation in `dir`, as `run` gives it.
fn database(dir: &TempDir) -> PathBuf {
    dir.path().join("dxsurvey.db")
}

/// The real server on the installation in `dir`, not yet waited for.
fn spawn_server(dir: &TempDir, stderr: Stdio) -> (Running, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_dxsurvey"))
        .current_dir(repo())
        .arg("serve")
        .env("DXSURVEY_DATABASE", database(dir))
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_LOG_LEVEL", "off")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    (Running(child), port)
}

/// The real server on the installation in `dir`, once it answers.
fn serve(dir: &TempDir) -> Running {
    let (server, port) = spawn_server(dir, Stdio::null());
    wait_for(port, "the server");
    server
}

/// An installation with `responses` demo responses (which also makes its secret key).
fn installation(responses: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    succeeded(&run(&dir, &["demo", "--responses", responses, "--seed", "3"], &[]));
    dir
}

/// Standard output of a command that must succeed.
fn succeeded(output: &Output) -> String {
    let (stdout, stderr) = text(output);
    assert!(output.status.success(), "{stdout}{stderr}");
    stdout
}

fn responses(database: &Path) -> i64 {
    let conn = rusqlite::Connection::open(database).unwrap();
    conn.query_row("SELECT count(*) FROM responses", [], |r| r.get(0)).unwrap()
}

/// The detail of the last audit entry of `action`.
fn audited(database: &Path, action: &str) -> String {
    let conn = rusqlite::Connection::open(database).unwrap();
    let sql = "SELECT detail FROM audit_log WHERE action = ?1 ORDER BY rowid DESC LIMIT 1";
    conn.query_row(sql, [action], |r| r.get(0)).unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// `path` with `.key` added to its name.
fn key_of(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.key", path.display()))
}

/// The names in `dir` that start with `dxsurvey-`.
fn dated(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("dxsurvey-2"))
        .collect()
}

#[test]
fn a_backup_carries_the_installations_key_and_both_files_and_its_folder_are_private() {
    let installation = installation("10");
    let key = read(&installation.path().join("secret.key"));
    assert_eq!(key.trim().len(), 64, "the installation made its key");
    let folder = installation.path().join("nightly/backups");
    let said = succeeded(&run(&installation, &["backup", "--dir", folder.to_str().unwrap()], &[]));
    assert_eq!(mode(&folder), 0o700);
    let names = dated(&folder);
    assert_eq!(names.len(), 2, "{names:?}");
    let copy = folder.join(names.iter().find(|n| n.ends_with(".db")).unwrap());
    assert!(said.contains(&format!("the secret key is in {}", key_of(&copy).display())), "{said}");
    assert_eq!(read(&key_of(&copy)), key);
    assert_eq!((mode(&copy), mode(&key_of(&copy))), (0o600, 0o600));
    assert_eq!(responses(&copy), 10);
    let detail = audited(&database(&installation), "backup");
    assert!(detail.contains(&format!("the secret key is in {}", key_of(&copy).display())));

    let out = installation.path().join("one.db");
    std::fs::write(key_of(&out), "an old, readable file").unwrap();
    std::fs::set_permissions(key_of(&out), std::fs::Permissions::from_mode(0o644)).unwrap();
    succeeded(&run(&installation, &["backup", "--out", out.to_str().unwrap()], &[]));
    assert_eq!(read(&key_of(&out)), key, "the companion is replaced");
    assert_eq!((mode(&out), mode(&key_of(&out))), (0o600, 0o600));
}

#[test]
fn a_key_set_in_the_configuration_is_named_not_copied() {
    let installation = installation("5");
    let out = installation.path().join("one.db");
    std::fs::write(key_of(&out), "an earlier backup's key").unwrap();
    let configured = [("ROCKET_SECRET_KEY", "ab".repeat(32))];
    let env: Vec<(&str, &str)> = configured.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let said = succeeded(&run(&installation, &["backup", "--out", out.to_str().unwrap()], &env));
    assert!(said.contains("the secret key is set in the configuration"), "{said}");
    assert!(!key_of(&out).exists(), "no companion, not even an earlier one");
}

#[test]
fn a_folder_of_backups_keeps_the_newest_pairs_and_leaves_everything_else_alone() {
    let installation = installation("5");
    let folder = installation.path().join("backups");
    std::fs::create_dir(&folder).unwrap();
    let others = ["notes.txt", "dxsurvey-manual.db", "dxsurvey-20200101T000000Z.db.old"];
    for other in others {
        std::fs::write(folder.join(other), other).unwrap();
    }
    // A backup of an earlier year, with what an older version left beside it.
    for old in ["", ".key", "-wal", "-shm"] {
        std::fs::write(folder.join(format!("dxsurvey-20190101T000000Z.db{old}")), "old").unwrap();
    }
    let mut written = Vec::new();
    for run_number in 0..3 {
        if run_number > 0 {
            std::thread::sleep(Duration::from_millis(1100)); // a name per second
        }
        let before = dated(&folder);
        let args = ["backup", "--dir", folder.to_str().unwrap(), "--keep", "2"];
        let said = succeeded(&run(&installation, &args, &[]));
        let new: Vec<String> =
            dated(&folder).difference(&before).filter(|n| n.ends_with(".db")).cloned().collect();
        assert_eq!(new.len(), 1, "one new backup: {said}");
        written.push(new[0].clone());
    }
    let kept: BTreeSet<String> = written[1..]
        .iter()
        .flat_map(|n| [n.clone(), format!("{n}.key")])
        .chain(others.iter().filter(|o| o.starts_with("dxsurvey-2")).map(|o| (*o).to_string()))
        .collect();
    assert_eq!(dated(&folder), kept, "the two newest pairs, the older ones deleted");
    for other in others {
        assert_eq!(read(&folder.join(other)), other, "{other} untouched");
    }
}

#[test]
fn backup_takes_exactly_one_of_out_and_dir() {
    let installation = installation("1");
    let folder = installation.path().join("backups");
    let out = installation.path().join("x.db");
    let out = out.to_str().unwrap();
    let both = ["backup", "--out", out, "--dir", folder.to_str().unwrap()];
    for args in [&both[..], &["backup"], &["backup", "--out", out, "--keep", "3"]] {
        let output = run(&installation, args, &[]);
        assert!(!output.status.success(), "{args:?}");
        assert!(text(&output).1.contains("--out <FILE>"), "{args:?}: {}", text(&output).1);
        assert!(!Path::new(out).exists(), "{args:?} wrote nothing");
    }
    let output =
        run(&installation, &["backup", "--dir", folder.to_str().unwrap(), "--keep", "0"], &[]);
    assert!(!output.status.success());
    assert!(!folder.exists(), "nothing written");
}

#[test]
fn restore_is_refused_while_a_server_serves_the_database_and_works_once_it_stopped() {
    let installation = installation("20");
    let copy = installation.path().join("copy.db");
    succeeded(&run(&installation, &["backup", "--out", copy.to_str().unwrap()], &[]));
    succeeded(&run(&installation, &["demo", "--responses", "7", "--seed", "9"], &[]));
    let (backed_up, now) = (responses(&copy), responses(&database(&installation)));
    assert_ne!(backed_up, now, "the database moved on since the backup");

    let server = serve(&installation);
    assert_eq!(mode(&installation.path().join("dxsurvey.db.lock")), 0o600, "the server's lock");
    let files_before = std::fs::read_dir(installation.path()).unwrap().count();
    let output = run(&installation, &["restore", copy.to_str().unwrap()], &[]);
    let (_, stderr) = text(&output);
    assert!(!output.status.success());
    let reason = format!(
        "a dxsurvey server is serving {}: stop it first (systemctl stop dxsurvey)",
        database(&installation).display()
    );
    assert!(stderr.contains(&reason), "{stderr}");
    assert_eq!(responses(&database(&installation)), now, "nothing restored");
    let files_after = std::fs::read_dir(installation.path()).unwrap().count();
    assert_eq!(files_after, files_before, "no file kept, no key moved");

    drop(server);
    let said = succeeded(&run(&installation, &["restore", copy.to_str().unwrap()], &[]));
    assert!(said.contains("already holds the backup's secret key"), "{said}");
    assert_eq!(responses(&database(&installation)), backed_up);
}

#[test]
fn a_restore_into_a_new_installation_installs_the_backups_key() {
    let original = installation("12");
    let copy = original.path().join("copy.db");
    succeeded(&run(&original, &["backup", "--out", copy.to_str().unwrap()], &[]));

    let elsewhere = TempDir::new().unwrap();
    let nested = TempDir::new().unwrap();
    let new_database = nested.path().join("not/yet/there.db");
    for (dir, database) in [(&elsewhere, database(&elsewhere)), (&nested, new_database)] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dxsurvey"));
        let output = command
            .current_dir(repo())
            .args(["restore", copy.to_str().unwrap()])
            .env("DXSURVEY_DATABASE", &database)
            .output()
            .unwrap();
        let said = succeeded(&output);
        let key = database.parent().unwrap().join("secret.key");
        assert!(said.contains(&format!("installed the backup's secret key as {}", key.display())));
        assert_eq!(
            read(&key),
            read(&original.path().join("secret.key")),
            "{}",
            dir.path().display()
        );
        assert_eq!(mode(&key), 0o600);
        assert_eq!(responses(&database), 12);
    }
}

#[test]
fn a_restore_over_another_key_keeps_that_key_aside() {
    let original = installation("4");
    let copy = original.path().join("copy.db");
    succeeded(&run(&original, &["backup", "--out", copy.to_str().unwrap()], &[]));
    let other = installation("2");
    let their_key = read(&other.path().join("secret.key"));
    assert_ne!(their_key, read(&original.path().join("secret.key")));

    let said = succeeded(&run(&other, &["restore", copy.to_str().unwrap()], &[]));
    assert!(said.contains("the previous key is kept in"), "{said}");
    let kept: Vec<PathBuf> = std::fs::read_dir(other.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("secret.key.before-restore-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let detail = audited(&database(&other), "restore");
    assert!(detail.contains(&format!("the previous key is kept in {}", kept[0].display())));
    assert_eq!(read(&kept[0]), their_key);
    assert_eq!(mode(&kept[0]), 0o600);
    assert_eq!(read(&other.path().join("secret.key")), read(&original.path().join("secret.key")));
}

#[test]
fn a_backup_without_its_key_restores_with_a_warning_and_a_malformed_key_changes_nothing() {
    let original = installation("6");
    let copy = original.path().join("copy.db");
    succeeded(&run(&original, &["backup", "--out", copy.to_str().unwrap()], &[]));
    let target = installation("3");
    let key = read(&target.path().join("secret.key"));

    std::fs::write(key_of(&copy), "not a key").unwrap();
    let output = run(&target, &["restore", copy.to_str().unwrap()], &[]);
    assert!(!output.status.success());
    assert!(text(&output).1.contains("not a secret key of 64 hex digits"), "{}", text(&output).1);
    assert_eq!(responses(&database(&target)), 3, "nothing restored");
    assert_eq!(read(&target.path().join("secret.key")), key);

    std::fs::remove_file(key_of(&copy)).unwrap();
    let output = run(&target, &["restore", copy.to_str().unwrap()], &[]);
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: no ") && stderr.contains("original installation's secret key")
    );
    assert_eq!(responses(&database(&target)), 6);
    assert_eq!(read(&target.path().join("secret.key")), key, "the key stays as it was");
}

#[test]
fn a_second_server_on_a_served_database_does_not_start_and_says_why() {
    let installation = installation("1");
    let _first = serve(&installation);
    let (mut second, port) = spawn_server(&installation, Stdio::piped());
    let deadline = Instant::now() + Duration::from_secs(60);
    let exit = loop {
        if let Some(exit) = second.0.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the second server is still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(!exit.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.0.stderr.take().unwrap(), &mut stderr).unwrap();
    let said = format!("another dxsurvey server is serving {}", database(&installation).display());
    assert!(stderr.contains(&said), "{stderr}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "nothing listens");
}
