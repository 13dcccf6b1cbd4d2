//! `corridor keys`, `corridor sign`, `corridor verify`, `corridor seed demo`:
//! the clearance commands (issue 5).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use corridor_clearance::{Actor, ApplicationContent, Role};
use corridor_clearance_service::seed::write_private;
use corridor_ledger::{DecisionKind, DecisionPayload, Hash, KeyId, SecretKey};

use super::{Context, print};

/// Party keys (ed25519: PKCS#8 PEM private, SPKI PEM public).
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a party's key pair: DIR/PARTY.key.pem (keep it secret) and DIR/PARTY.pub.pem (publish it)
    New {
        /// Party code (RU, TR, UA, UN, …)
        party: String,
        /// Directory to write to
        #[arg(long)]
        out: PathBuf,
    },
    /// Register a party's public key in the clearance log: its first key, or (with --endorse-with) a successor signed by the party's current key, which is retired from now
    Register {
        /// Party code
        party: String,
        /// Public key file (SPKI PEM or base64)
        #[arg(long)]
        public: PathBuf,
        /// The party's current private key file (PKCS#8 PEM): it signs the new key; required for every key after the first
        #[arg(long)]
        endorse_with: Option<PathBuf>,
    },
    /// Rotate a party's key: a new pair in DIR (the old files are kept, renamed with their key id) registered in the log; the old key's signatures keep verifying
    Rotate {
        /// Party code
        party: String,
        /// Directory of the party's key files
        #[arg(long)]
        out: PathBuf,
    },
}

/// What the delegate decides.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Approve,
    Hold,
    Reject,
    /// Lift the party's own hold (send it to `…/holds/{party}/release`)
    Release,
}

/// `corridor sign`: the delegate signs a decision on their own machine.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["application", "plan"])))]
pub struct SignArgs {
    /// The party's private key (PKCS#8 PEM)
    #[arg(long)]
    key: PathBuf,
    /// The party the delegate decides for
    #[arg(long)]
    party: String,
    /// The application as `GET /api/v1/applications/{id}` returns it (needs `id` and `content`)
    #[arg(long)]
    application: Option<PathBuf>,
    /// Or a day's inspection plan as `GET /api/v1/plans/{date}` returns it
    /// (needs `date`, `version`, `assignments`); send the result to
    /// `POST /api/v1/plans/{date}/decisions`
    #[arg(long)]
    plan: Option<PathBuf>,
    /// approve, hold, reject, or release (of the party's own hold)
    #[arg(long)]
    decision: DecisionArg,
    /// Reason code of a hold or rejection
    #[arg(long)]
    reason_code: Option<String>,
    /// Text of a hold or rejection
    #[arg(long)]
    text: Option<String>,
    /// Where to write the signed decision JSON [default: standard output]
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `corridor verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
    /// A checkpoint held outside the database (the `text` of GET /api/v1/log/checkpoint, or that whole JSON answer), saved earlier: the log must still hold what it signed. Repeat for several
    #[arg(long, value_name = "FILE")]
    checkpoint: Vec<PathBuf>,
    /// The log's public key as published (base64, a PEM file or a file holding the base64): the database's log key must be it, and held checkpoints are verified with it
    #[arg(long, value_name = "KEY|FILE")]
    log_key: Option<String>,
}

/// What a file kept from before holds: a checkpoint, and for a decision's
/// receipt, the entry it was given for.
type Held = (
    corridor_ledger::SignedCheckpoint,
    Option<(u64, corridor_ledger::Hash)>,
);

/// A checkpoint kept from before: its text form, the API's answer
/// (`{"text": …}`) or a decision's receipt (`{"checkpoint": {"text": …},
/// "seq", "entry_hash", …}`, whose entry the log must still hold); a text
/// saved with an extra newline at its end is read all the same.
fn held_checkpoint(text: &str) -> anyhow::Result<Held> {
    let (text, receipt) = if text.trim_start().starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
        let receipt = match (v["seq"].as_u64(), v["entry_hash"].as_str()) {
            (Some(seq), Some(h)) => Some((
                seq,
                corridor_ledger::Hash::from_hex(h).context("the receipt's entry_hash")?,
            )),
            _ => None,
        };
        let text = v["text"]
            .as_str()
            .or_else(|| v["checkpoint"]["text"].as_str())
            .context("no \"text\" member, nor a receipt's \"checkpoint\" with one")?
            .to_string();
        (text, receipt)
    } else {
        (text.to_string(), None)
    };
    let text = format!("{}\n", text.trim_end_matches(['\n', '\r']));
    let cp = corridor_ledger::SignedCheckpoint::from_text(&text).context("not a checkpoint")?;
    if let Some((seq, _)) = receipt
        && seq >= cp.size
    {
        anyhow::bail!(
            "the receipt's entry {seq} is not covered by its checkpoint ({} entries)",
            cp.size
        );
    }
    Ok((cp, receipt))
}

/// Reads what `corridor verify` is given from outside the database.
fn anchors(args: &VerifyArgs) -> anyhow::Result<corridor_clearance_service::verify::Anchors> {
    use corridor_ledger::PublicKey;
    let mut checkpoints = Vec::new();
    let mut receipts = Vec::new();
    for path in &args.checkpoint {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the checkpoint {}", path.display()))?;
        let (cp, receipt) =
            held_checkpoint(&text).with_context(|| format!("{}", path.display()))?;
        checkpoints.push(cp);
        receipts.extend(receipt);
    }
    let log_key = match &args.log_key {
        None => None,
        Some(given) => {
            let path = std::path::Path::new(given);
            let is_file = path.is_file();
            let text = if is_file {
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading the log key {given}"))?
            } else {
                given.clone()
            };
            // A mistyped file name is not "not a public key": say both.
            Some(PublicKey::from_text(&text).with_context(|| {
                if is_file {
                    format!("--log-key {given}: not a public key")
                } else {
                    format!("--log-key {given}: no such file, and not a public key written out (base64 or PEM)")
                }
            })?)
        }
    };
    Ok(corridor_clearance_service::verify::Anchors {
        checkpoints,
        log_key,
        receipts,
    })
}

/// `corridor seed …`.
#[derive(Debug, Subcommand)]
pub enum SeedCommand {
    /// Fill an empty store with a slice of a BSGI season (demo only: writes the parties' private keys to --keys-dir)
    Demo {
        /// Where to write the demo parties' keys
        #[arg(long, default_value = "demo-keys")]
        keys_dir: PathBuf,
    },
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn write_pair(dir: &Path, party: &str, key: &SecretKey) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    write_pair_as(
        &dir.join(format!("{party}.key.pem")),
        &dir.join(format!("{party}.pub.pem")),
        key,
    )
}

/// Writes `key`'s private half to `private` (readable by its owner only)
/// and its public half to `public`.
fn write_pair_as(private: &Path, public: &Path, key: &SecretKey) -> anyhow::Result<()> {
    let pem = key.to_pkcs8_pem().map_err(|e| anyhow::anyhow!("{e}"))?;
    let public_pem = key
        .public_key()
        .to_spki_pem()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    write_private(private, &pem).with_context(|| format!("writing {}", private.display()))?;
    std::fs::write(public, public_pem).with_context(|| format!("writing {}", public.display()))?;
    Ok(())
}

fn check_party(party: &str) -> anyhow::Result<()> {
    if party.is_empty()
        || !party
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("party code {party:?}: letters, digits, - and _ only");
    }
    Ok(())
}

/// Registers `key` for `party`; `endorse_with`, the party's current key,
/// signs it over the log as it is now (required after the party's first key).
async fn register(
    ctx: &Context,
    party: &str,
    key: corridor_ledger::PublicKey,
    endorse_with: Option<&SecretKey>,
) -> anyhow::Result<()> {
    let service = ctx.clearance_service().await?;
    let endorsement = match endorse_with {
        Some(current) => Some(corridor_ledger::key_events::endorse(
            current,
            service.origin(),
            service.log_state().await,
            jiff::Timestamp::now(),
            party,
            &key,
        )),
        None => None,
    };
    // The operator at the database acts as the keys administrator; after a
    // party's first key, only the party's own endorsement lets a key in.
    let admin = Actor::new("cli:keys", Role::Admin);
    let record = service
        .register_key(&admin, party, key, endorsement)
        .await?;
    print(&format!(
        "registered key {} for {party} from {}\n",
        record.key_id,
        corridor_ledger::time::format(record.valid_from)
    ))?;
    Ok(())
}

pub async fn run_keys(ctx: &Context, cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        KeysCommand::New { party, out } => {
            check_party(&party)?;
            let path = out.join(format!("{party}.key.pem"));
            if path.exists() {
                bail!(
                    "{} exists; use `corridor keys rotate` to replace a key",
                    path.display()
                );
            }
            let key = SecretKey::generate();
            write_pair(&out, &party, &key)?;
            print(&format!(
                "{party}: key {} written to {} (private) and {} (public)\n",
                key.key_id(),
                path.display(),
                out.join(format!("{party}.pub.pem")).display()
            ))?;
        }
        KeysCommand::Register {
            party,
            public,
            endorse_with,
        } => {
            check_party(&party)?;
            let key = corridor_ledger::PublicKey::from_text(&read(&public)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", public.display()))?;
            let current = match endorse_with {
                Some(path) => Some(
                    SecretKey::from_pkcs8_pem(&read(&path)?)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                ),
                None => None,
            };
            register(ctx, &party, key, current.as_ref()).await?;
        }
        KeysCommand::Rotate { party, out } => {
            check_party(&party)?;
            let old_path = out.join(format!("{party}.key.pem"));
            let old = SecretKey::from_pkcs8_pem(&read(&old_path)?)
                .map_err(|e| anyhow::anyhow!("{}: {e}", old_path.display()))?;
            let new = SecretKey::generate();
            let KeyId(new_id) = new.key_id();
            let KeyId(old_id) = old.key_id();
            // The new key is on disk before the log knows it: once logged,
            // only it can sign for the party (and endorse the next), so a
            // key registered but never saved would lock the party out. It
            // is saved under its id first; if the log refuses it, it goes.
            let staged = |ext: &str| out.join(format!("{party}.{new_id}.{ext}"));
            write_pair_as(&staged("key.pem"), &staged("pub.pem"), &new)
                .context("saving the new key before registering it (nothing was registered)")?;
            if let Err(e) = register(ctx, &party, new.public_key(), Some(&old)).await {
                let _ = std::fs::remove_file(staged("key.pem"));
                let _ = std::fs::remove_file(staged("pub.pem"));
                return Err(e);
            }
            // Logged: the current names go to the new key, the old one keeps
            // its id. Should a rename fail, the new key is still at its
            // staged name, and the message says so.
            let kept = |e: std::io::Error| {
                anyhow::anyhow!(
                    "key {new_id} is registered and current for {party}, saved as {}; renaming the files failed ({e}): rename them by hand",
                    staged("key.pem").display()
                )
            };
            std::fs::rename(&old_path, out.join(format!("{party}.{old_id}.key.pem")))
                .map_err(kept)?;
            let old_pub = out.join(format!("{party}.pub.pem"));
            if old_pub.exists() {
                std::fs::rename(&old_pub, out.join(format!("{party}.{old_id}.pub.pem")))
                    .map_err(kept)?;
            }
            std::fs::rename(staged("key.pem"), &old_path).map_err(kept)?;
            std::fs::rename(staged("pub.pem"), &old_pub).map_err(kept)?;
            print(&format!(
                "{party}: key {old_id} retired, key {} current\n",
                new.key_id()
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The id and content hash of the application in `file`: the hash is
/// computed from the content shown (sign what we see, not what the server
/// says it is).
fn application_to_sign(file: &std::path::Path) -> anyhow::Result<(String, Hash)> {
    let app: serde_json::Value =
        serde_json::from_str(&read(file)?).context("the application is not JSON")?;
    let id = app
        .get("id")
        .and_then(|v| v.as_str())
        .context("the application has no \"id\"")?
        .to_string();
    let content: ApplicationContent = serde_json::from_value(
        app.get("content")
            .cloned()
            .context("the application has no \"content\"")?,
    )
    .context("the application's content")?;
    let hash = content.content_hash().map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(claimed) = app.get("content_hash").and_then(|v| v.as_str())
        && Hash::from_hex(claimed).ok() != Some(hash)
    {
        bail!(
            "the application's content hashes to {hash}, not the {claimed} it claims: refusing to sign"
        );
    }
    Ok((id, hash))
}

/// `PLAN-<date>` and the hash of the plan in `file`, computed from the
/// assignments shown (`PlanContent::to_sign` keeps the rule).
fn plan_to_sign(file: &std::path::Path) -> anyhow::Result<(String, Hash)> {
    let plan: serde_json::Value =
        serde_json::from_str(&read(file)?).context("the plan is not JSON")?;
    Ok(corridor_clearance::PlanContent::to_sign(&plan)?)
}

pub fn run_sign(ctx: &Context, args: SignArgs) -> anyhow::Result<ExitCode> {
    // A party this corridor does not have would only be refused later, by
    // the server.
    // An approval or release carries no reason: one given by mistake is not
    // dropped silently.
    if matches!(args.decision, DecisionArg::Approve | DecisionArg::Release)
        && (args.reason_code.is_some() || args.text.is_some())
    {
        bail!(
            "an approval or a release carries no --reason-code or --text (did you mean --decision hold or reject?)"
        );
    }
    let parties = ctx.rules()?;
    if !parties.has_party(&args.party) {
        bail!(
            "--party {}: not a party of this corridor ({})",
            args.party,
            parties.party_codes().collect::<Vec<_>>().join(", ")
        );
    }
    let key = SecretKey::from_pkcs8_pem(&read(&args.key)?)
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.key.display()))?;
    let (id, hash) = match (&args.application, &args.plan) {
        (Some(file), _) => application_to_sign(file)?,
        (None, Some(file)) => {
            if matches!(args.decision, DecisionArg::Release) {
                bail!(
                    "--decision release lifts a hold on an application; a party replaces its hold on a plan by approving it"
                );
            }
            plan_to_sign(file)?
        }
        (None, None) => bail!("give --application or --plan"),
    };
    let reason = |what: &str| -> anyhow::Result<(String, String)> {
        Ok((
            args.reason_code
                .clone()
                .with_context(|| format!("a {what} needs --reason-code"))?,
            args.text
                .clone()
                .with_context(|| format!("a {what} needs --text"))?,
        ))
    };
    let decision = match args.decision {
        DecisionArg::Approve => DecisionKind::Approve,
        DecisionArg::Hold => {
            let (reason_code, text) = reason("hold")?;
            DecisionKind::Hold { reason_code, text }
        }
        DecisionArg::Reject => {
            let (reason_code, text) = reason("rejection")?;
            DecisionKind::Reject { reason_code, text }
        }
        DecisionArg::Release => DecisionKind::Release,
    };
    let signed = DecisionPayload {
        party: args.party,
        application_id: id,
        application_hash: hash,
        decision,
        time: jiff::Timestamp::now(),
        key_id: key.key_id(),
    }
    .sign(&key)
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = serde_json::to_string_pretty(&signed)? + "\n";
    match args.out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?
        }
        None => print(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run_verify(ctx: &Context, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    ctx.require(super::Holds::ClearanceLog).await?;
    let anchors = anchors(&args)?;
    let db = corridor_clearance_service::db::open(&ctx.checked_url()?).await?;
    let result = corridor_clearance_service::verify::verify_database_anchored(
        &db,
        Some(&ctx.rules()?),
        &anchors,
    )
    .await;
    db.close().await;
    match result {
        Ok(r) => {
            if args.json {
                print(&(serde_json::to_string_pretty(&r)? + "\n"))?;
            } else {
                print(&format!(
                    "clearance log intact: {} entries, {} signatures, {} checkpoints, {} applications\nhead {}\nroot {}\n",
                    r.size, r.signatures, r.checkpoints, r.applications, r.head, r.root
                ))?;
                if r.held_checkpoints > 0 {
                    print(&format!(
                        "and it holds what the {} checkpoint(s) given signed\n",
                        r.held_checkpoints
                    ))?;
                } else {
                    print(
                        "checked against the database alone: give --checkpoint and --log-key from outside it to rule out a rewrite by whoever can write to it\n",
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(corridor_clearance_service::verify::VerifyFailure::Db(e)) => Err(e.into()),
        Err(failure) => {
            say!("corridor verify: the clearance record does not check: {failure}");
            Ok(ExitCode::from(1))
        }
    }
}

pub async fn run_seed(ctx: &Context, cmd: SeedCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SeedCommand::Demo { keys_dir } => {
            let rules = ctx.rules()?;
            if rules.id != "bsgi" {
                bail!(
                    "seed demo fills a store with the Black Sea Grain Initiative's demo (its parties, ports and season); \
                     the rules given are {:?} ({}): run it without --rules, on a store of its own",
                    rules.id,
                    rules.name
                );
            }
            let summary =
                corridor_clearance_service::seed::seed_demo(&ctx.database_url(), &keys_dir).await?;
            print(&format!(
                "seeded {} log entries, {} applications, {} users (password {:?}, demo only); party keys in {} (demo only)\n",
                summary.entries,
                summary.applications,
                summary.users.len(),
                corridor_clearance_service::seed::DEMO_PASSWORD,
                summary.keys_dir
            ))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::held_checkpoint;

    /// Review of the session's fixes, finding 3: a decision's receipt, the
    /// file the browser offers, was refused by `--checkpoint`, and so was a
    /// text saved with an extra newline (`jq -r .text`).
    #[test]
    fn a_held_checkpoint_is_read_in_each_form_it_is_kept_in() {
        let key = corridor_ledger::SecretKey::from_seed(&[5; 32]);
        let cp = corridor_ledger::TreeHead {
            origin: "corridor/test".into(),
            size: 3,
            root: corridor_ledger::Hash::of(b"root"),
            time: "2022-10-01T00:00:00Z".parse().unwrap(),
        }
        .sign(&key)
        .unwrap();
        let text = cp.to_text().unwrap();
        for kept in [
            text.clone(),
            format!("{text}\n"),
            serde_json::json!({ "text": text }).to_string(),
            serde_json::json!({ "seq": 2, "checkpoint": { "text": text } }).to_string(),
        ] {
            assert_eq!(held_checkpoint(&kept).unwrap().0, cp, "{kept}");
        }
        assert!(held_checkpoint("{\"seq\": 2}").is_err());
        // A receipt names its entry, which its checkpoint must cover.
        let hash = corridor_ledger::Hash::of(b"entry");
        let receipt = |seq: u64| {
            serde_json::json!({ "seq": seq, "entry_hash": hash, "checkpoint": { "text": text } })
                .to_string()
        };
        assert_eq!(held_checkpoint(&receipt(2)).unwrap().1, Some((2, hash)));
        assert!(held_checkpoint(&receipt(3)).is_err());
    }
}
