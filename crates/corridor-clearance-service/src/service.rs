//! The service: the verified log in memory, the clearance state replayed
//! from it, and every write going to the database before it is answered.

use std::sync::Arc;

use corridor_clearance::{Actor, Clearance, Command, CorridorConfig, Event, Status};
use corridor_ledger::key_events::{Endorsement, KeyEventError, key_registered_event};
use corridor_ledger::{
    Hash, KeyRecord, KeyRegistry, LogEntry, MerkleTree, PublicKey, SecretKey, SignedCheckpoint,
    StoredEntry, TreeHead,
};
use jiff::Timestamp;
use tokio::sync::Mutex;

use crate::db::{AppRow, CheckpointRow, Db, DocRow, KeyRow, Projection};
use crate::error::ServiceError;

/// Where the service reads the time. Tests use a manual clock to play a
/// season without waiting.
#[derive(Debug, Clone)]
pub enum Clock {
    /// The system clock.
    System,
    /// A settable clock.
    Manual(Arc<std::sync::Mutex<Timestamp>>),
}

impl Clock {
    /// A manual clock at `t`.
    pub fn manual(t: Timestamp) -> Self {
        Clock::Manual(Arc::new(std::sync::Mutex::new(t)))
    }

    /// The time now.
    pub fn now(&self) -> Timestamp {
        match self {
            Clock::System => Timestamp::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Sets a manual clock (no effect on the system clock).
    pub fn set(&self, to: Timestamp) {
        if let Clock::Manual(t) = self {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = to;
        }
    }

    /// Moves a manual clock forward.
    pub fn advance(&self, by: jiff::SignedDuration) {
        let now = self.now();
        self.set(now.checked_add(by).unwrap_or(now));
    }
}

/// In-memory mirror of the log (verified at start, then appended to).
#[derive(Debug)]
pub(crate) struct State {
    pub clearance: Clearance,
    pub keys: KeyRegistry,
    pub entries: Vec<LogEntry>,
    pub tree: MerkleTree,
}

/// The name of a corridor's log (in its checkpoints, and in the key changes
/// its parties sign): `corridor/<id>`.
pub fn log_origin(config: &CorridorConfig) -> String {
    format!("corridor/{}", config.id)
}

/// Reads, verifies and replays the stored log.
async fn load(db: &Db, config: &CorridorConfig) -> Result<State, ServiceError> {
    let rows = db.log_rows().await?;
    // Every party key is registered in the log itself, so the chain verifies from an empty registry.
    let summary =
        corridor_ledger::verify_stored_chain(&rows, &KeyRegistry::new(), &log_origin(config))
            .map_err(|e| ServiceError::Tampered(e.to_string()))?;
    let entries: Vec<LogEntry> = rows
        .iter()
        .map(StoredEntry::to_entry)
        .collect::<Result<_, _>>()
        .map_err(|e| ServiceError::Tampered(e.to_string()))?;
    let clearance = Clearance::replay_log(config.clone(), &entries)
        .map_err(|e| ServiceError::Tampered(e.to_string()))?;
    let tree = MerkleTree::from_leaf_hashes(entries.iter().map(LogEntry::leaf_hash).collect());
    Ok(State {
        clearance,
        keys: summary.keys,
        entries,
        tree,
    })
}

/// The clearance service over one database.
#[derive(Debug)]
pub struct Service {
    pub(crate) db: Db,
    pub(crate) config: CorridorConfig,
    pub(crate) origin: String,
    log_key: SecretKey,
    pub(crate) clock: Clock,
    /// Shared with the task that commits an append (see [`Service::commit`]).
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) limiter: std::sync::Mutex<crate::auth::LoginLimiter>,
    /// Inspection resources and the queue rule (the planner's configuration).
    pub(crate) capacity: corridor_planner::CapacityConfig,
    /// Finds tracking alerts by key (set once by whoever runs the tracking).
    pub(crate) alert_lookup: Wired<crate::alerts::AlertLookup>,
    /// Where tracking places each vessel now (set once by whoever runs the tracking).
    pub(crate) whereabouts: Wired<crate::arrivals::WhereaboutsLookup>,
    /// Each acknowledgement as it is logged, for live screens.
    pub(crate) acks: tokio::sync::broadcast::Sender<crate::alerts::AckBody>,
    /// The largest log size this process stored a checkpoint for: a
    /// public request for the head signs one, but stores it only when the
    /// log has grown (it once wrote a row on every anonymous GET).
    checkpointed: std::sync::atomic::AtomicU64,
    /// Password hashes at once (19 MiB each): logins beyond wait their turn.
    pub(crate) hashing: tokio::sync::Semaphore,
    /// The accountability figures so far (entries read, tally): a public
    /// request adds only the entries new since the last, outside the
    /// state's lock, and never replays the whole log again.
    tally: Mutex<(usize, corridor_clearance::Tally)>,
    /// The monthly operations figures so far, kept the same way.
    operations: Mutex<(usize, corridor_clearance::OperationsTally)>,
    /// Tracking reports arrivals at the inspection area (`crate::arrivals`).
    pub(crate) arrivals_tracked: std::sync::atomic::AtomicBool,
    /// Arrivals tracking saw but did not log, by application: why
    /// (`crate::arrivals`). In memory: after a restart, only what the
    /// forwarder offers again (the first stored arrival) is noted again.
    pub(crate) arrival_notes: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// How often a service looks for log entries other processes appended.
const LOOK_FOR_APPENDS: std::time::Duration = std::time::Duration::from_secs(2);

/// Acknowledgements a slow live subscriber may fall behind by before it
/// is told it lagged (they come at a coordinator's pace).
const ACK_FEED: usize = 64;

impl Service {
    /// Opens the database at `url` with `config` on the system clock.
    pub async fn open(url: &str, config: CorridorConfig) -> Result<Arc<Service>, ServiceError> {
        let db = crate::db::open(url).await?;
        Self::with_db(db, config, Clock::System).await
    }

    /// Builds the service over an open database: verifies the stored log
    /// (refusing a log that does not check), replays it, and loads or makes
    /// the log's checkpoint key.
    pub async fn with_db(
        db: Db,
        config: CorridorConfig,
        clock: Clock,
    ) -> Result<Arc<Service>, ServiceError> {
        let capacity = crate::inspections::service_capacity()?;
        Self::with_capacity(db, config, capacity, clock).await
    }

    /// As [`Service::with_db`], with the inspection resources and queue rule
    /// given (default: [`crate::inspections::service_capacity`]).
    pub async fn with_capacity(
        db: Db,
        config: CorridorConfig,
        capacity: corridor_planner::CapacityConfig,
        clock: Clock,
    ) -> Result<Arc<Service>, ServiceError> {
        // A team needing a party the corridor does not have could never be
        // stopped by that party's absence (nor work): a configuration error.
        for t in &capacity.teams {
            if let Some(p) = t.parties.iter().find(|p| !config.has_party(p)) {
                return Err(ServiceError::Internal(format!(
                    "capacity: team {:?} needs party {p:?}, which is not one of the corridor's ({})",
                    t.name,
                    config.party_codes().collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let state = load(&db, &config).await?;
        let log_key = match db.log_key().await? {
            Some(pem) => SecretKey::from_pkcs8_pem(&pem)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            None => {
                let k = SecretKey::generate();
                let pem = k
                    .to_pkcs8_pem()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                let at = corridor_ledger::time::format(clock.now());
                db.insert_log_key(&k.key_id().0, &pem, &k.public_key().to_base64(), &at)
                    .await?;
                // Another process may have stored its key first: use whichever is stored.
                let pem = db.log_key().await?.unwrap_or(pem);
                SecretKey::from_pkcs8_pem(&pem)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?
            }
        };
        let origin = log_origin(&config);
        let tally = corridor_clearance::Tally::new(
            config.clone(),
            crate::inspections::plan_timetable(&capacity)?,
        );
        let operations = corridor_clearance::OperationsTally::new(
            config.clone(),
            crate::inspections::centre_tz(&capacity)?,
        );
        let service = Arc::new(Service {
            db,
            config,
            origin,
            log_key,
            clock,
            state: Arc::new(Mutex::new(state)),
            limiter: std::sync::Mutex::new(crate::auth::LoginLimiter::default()),
            capacity,
            alert_lookup: Wired::default(),
            whereabouts: Wired::default(),
            acks: tokio::sync::broadcast::channel(ACK_FEED).0,
            checkpointed: std::sync::atomic::AtomicU64::new(0),
            hashing: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8)),
            ),
            tally: Mutex::new((0, tally)),
            operations: Mutex::new((0, operations)),
            arrivals_tracked: std::sync::atomic::AtomicBool::new(false),
            arrival_notes: std::sync::Mutex::default(),
        });
        // Reads see what other processes append within a few seconds (a
        // write looks first anyway). Ends with the service.
        let weak = Arc::downgrade(&service);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LOOK_FOR_APPENDS);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(s) = weak.upgrade() else { break };
                // Asked without the state's lock: a database that does not
                // answer must not hold up what is answered from memory.
                let grown = match s.db.log_size().await {
                    Ok(stored) => stored != s.state.lock().await.entries.len() as u64,
                    Err(e) => {
                        tracing::debug!(error = %e, "could not look for new log entries");
                        false
                    }
                };
                if grown {
                    let mut st = s.state.lock().await;
                    if let Err(e) = s.catch_up(&mut st).await {
                        tracing::warn!(error = %e, "could not read the log's new entries");
                    }
                }
            }
        });
        Ok(service)
    }

    /// Lets the service find tracking alerts by key, so the coordinator can
    /// acknowledge them; the first call wins (it is wiring, done at start-up).
    pub fn set_alert_lookup(&self, lookup: crate::alerts::AlertLookup) {
        if !self.alert_lookup.set(lookup) {
            tracing::warn!("alert lookup set twice; the first one stays");
        }
    }

    /// Alert acknowledgements from now on, each once it is logged (a
    /// receiver that falls more than a few dozen behind is told how many it
    /// missed, as tokio's broadcast channel does).
    pub fn acknowledgements(&self) -> tokio::sync::broadcast::Receiver<crate::alerts::AckBody> {
        self.acks.subscribe()
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The corridor's configuration.
    pub fn config(&self) -> &CorridorConfig {
        &self.config
    }

    /// The inspection resources and queue rule.
    pub fn capacity(&self) -> &corridor_planner::CapacityConfig {
        &self.capacity
    }

    /// The clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The log key's public half (checkpoints verify with it).
    pub fn log_public_key(&self) -> PublicKey {
        self.log_key.public_key()
    }

    /// The current time, never before the last entry (the log's times never decrease).
    fn now_after(&self, st: &State) -> Timestamp {
        let now = corridor_ledger::time::to_seconds(self.clock.now());
        match st.entries.last() {
            Some(last) if last.time > now => last.time,
            _ => now,
        }
    }

    /// Runs a clearance command for `actor`: the event is written to the log
    /// (with its projections) before the state changes or anyone is answered.
    pub async fn execute(&self, actor: &Actor, command: Command) -> Result<Event, ServiceError> {
        self.execute_with(actor, command, None).await
    }

    /// Executes `command` if `check` finds nothing against it in the state
    /// it will apply to (both under the state's lock).
    pub(crate) async fn execute_if(
        &self,
        actor: &Actor,
        command: Command,
        check: impl FnOnce(&corridor_clearance::Clearance) -> Result<(), ServiceError>,
    ) -> Result<Event, ServiceError> {
        self.execute_on(
            actor,
            |c| {
                check(c)?;
                Ok(command)
            },
            None,
        )
        .await
    }

    pub(crate) async fn execute_with(
        &self,
        actor: &Actor,
        command: Command,
        document: Option<DocRow>,
    ) -> Result<Event, ServiceError> {
        self.execute_on(actor, |_| Ok(command), document).await
    }

    /// Builds the command from the state it will apply to and executes it,
    /// all under the state's lock: a command derived from the current
    /// content (an upload adds a file to it) cannot overwrite a change made
    /// meanwhile. Edits sent without a file must leave the documents as
    /// they are: only an upload, which stores the file, adds one.
    async fn execute_on(
        &self,
        actor: &Actor,
        build: impl FnOnce(&corridor_clearance::Clearance) -> Result<Command, ServiceError>,
        document: Option<DocRow>,
    ) -> Result<Event, ServiceError> {
        let mut st = Arc::clone(&self.state).lock_owned().await;
        self.catch_up(&mut st).await?;
        let now = self.now_after(&st);
        let command = build(&st.clearance)?;
        let documents = match &document {
            None => documents_kept(&st.clearance, &command),
            // Counted again under the state's lock, which every upload takes.
            Some(d) => self.room_for_a_file(&d.application_id, &d.kind).await,
        };
        // Work on a copy: if the database refuses the append, nothing changed.
        let mut next = st.clearance.clone();
        let outcome = next.execute(actor, command, now, &st.keys)?;
        // After the machine's checks, so that who may not edit is told so.
        documents?;
        let event_json = outcome.event_json()?;
        let entry = LogEntry::next(
            st.entries.last(),
            &actor.id,
            now,
            event_json,
            outcome.signature.clone(),
        )
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let row =
            StoredEntry::from_entry(&entry).map_err(|e| ServiceError::Internal(e.to_string()))?;
        // Every application the event changes (a plan's approval schedules several).
        let applications = outcome
            .event
            .affected_applications()
            .into_iter()
            .filter_map(|id| next.applications.get(id))
            .map(app_row)
            .collect::<Result<Vec<_>, _>>()?;
        let projection = Projection {
            applications,
            keys: Vec::new(),
            document,
        };
        self.commit(st, row, projection, move |st| {
            st.clearance = next;
            st.tree.push_leaf_hash(entry.leaf_hash());
            st.entries.push(entry);
        })
        .await?;
        Ok(outcome.event)
    }

    /// Reads what another process appended to the stored log since this
    /// one last read it (`corridor keys rotate`, a second server), so that
    /// a party's new key, a stoppage or a decision made elsewhere counts
    /// here at once. One look at the log's size when nothing is new; else
    /// the whole log is verified and replayed again, and must extend what
    /// this process had read (a stored log that shrank or whose entries
    /// changed is refused as tampered).
    pub(crate) async fn catch_up(&self, st: &mut State) -> Result<(), ServiceError> {
        let stored = self.db.log_size().await?;
        let known = st.entries.len() as u64;
        if stored == known {
            return Ok(());
        }
        if stored < known {
            return Err(ServiceError::Tampered(format!(
                "the stored log holds {stored} entries, fewer than the {known} this server has read"
            )));
        }
        let fresh = load(&self.db, &self.config).await?;
        if let Some(last) = st.entries.last()
            && fresh
                .entries
                .get(st.entries.len() - 1)
                .map(|e| e.entry_hash)
                != Some(last.entry_hash)
        {
            return Err(ServiceError::Tampered(format!(
                "the stored log's entry {} is not the one this server read",
                last.seq
            )));
        }
        tracing::info!(
            entries = fresh.entries.len() as u64 - known,
            "read log entries another process appended"
        );
        *st = fresh;
        Ok(())
    }

    /// Appends one entry and, once it is stored, applies `apply` to the
    /// state, on a task of its own that holds the state's lock throughout:
    /// a request dropped mid-way (the client hung up) cannot leave the
    /// stored log ahead of memory, which made the next append collide with
    /// the stored one. If another process (e.g. `corridor keys rotate`)
    /// appended first, the seq is taken: reload the log and ask to retry.
    async fn commit(
        &self,
        mut st: tokio::sync::OwnedMutexGuard<State>,
        row: StoredEntry,
        p: Projection,
        apply: impl FnOnce(&mut State) + Send + 'static,
    ) -> Result<(), ServiceError> {
        let (db, config) = (self.db.clone(), self.config.clone());
        tokio::spawn(async move {
            match db.append(&row, &p).await {
                Ok(()) => {
                    apply(&mut st);
                    Ok(())
                }
                Err(e) => {
                    let known = st.entries.len();
                    match load(&db, &config).await {
                        Ok(fresh) if fresh.entries.len() != known => {
                            *st = fresh;
                            Err(ServiceError::Conflict(
                                "the log was appended to by another process; retry".into(),
                            ))
                        }
                        _ => Err(e),
                    }
                }
            }
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("appending to the log: {e}")))?
    }

    /// Registers `key` for `party` from now on, retiring its current key if
    /// any (rotation). A party's first key must be the one its configuration
    /// pins, if it pins one; every later key must carry `endorsement`, the
    /// party's most recent key signing it ([`corridor_ledger::key_events`]),
    /// so no administrator or delegate login can give a party a key the party
    /// did not sign for. Only public keys ever reach the server.
    pub async fn register_key(
        &self,
        actor: &Actor,
        party: &str,
        key: PublicKey,
        endorsement: Option<Endorsement>,
    ) -> Result<KeyRecord, ServiceError> {
        corridor_clearance::can(
            actor,
            corridor_clearance::Action::ManagePartyKeys,
            corridor_clearance::Resource::Party { party },
        )
        .map_err(|_| ServiceError::Forbidden)?;
        if !self.config.has_party(party) {
            return Err(ServiceError::NotFound(format!(
                "no party {party} in this corridor"
            )));
        }
        // A key nothing can be signed under would lock the party out.
        let key = key
            .strong()
            .map_err(|e| ServiceError::Unprocessable(format!("public_key: {e}")))?;
        let mut st = Arc::clone(&self.state).lock_owned().await;
        self.catch_up(&mut st).await?;
        let first = st.keys.latest_key(party).is_none();
        if first
            && let Some(pinned) = self.config.first_key(party)
            && pinned != key
        {
            return Err(ServiceError::Unprocessable(format!(
                "the first key of party {party} must be {}, the key in the corridor's configuration",
                pinned.key_id()
            )));
        }
        // Validity is counted in whole seconds: a successor registered in
        // the second its predecessor became current starts a second later
        // (later entries are never dated before it).
        let mut now = self.now_after(&st);
        if let Some(current) = st.keys.current_key(party, now)
            && corridor_ledger::time::to_seconds(now) <= current.valid_from
        {
            now = current.valid_from + jiff::SignedDuration::from_secs(1);
        }
        let record = KeyRecord {
            key_id: key.key_id(),
            party: party.to_string(),
            public_key: key,
            valid_from: now,
            valid_until: None,
        };
        let event = key_registered_event(&record, endorsement.as_ref());
        // The log's own rule for key events decides (the endorsement included),
        // as it will on every replay.
        let mut keys = st.keys.clone();
        let before = corridor_ledger::LogBefore {
            entries: &st.entries,
            tree: &st.tree,
        };
        keys.apply_logged_event(&event, now, &self.origin, before)
            .map_err(|e| match e {
                KeyEventError::Registry(r) => ServiceError::Conflict(format!("key refused: {r}")),
                e => ServiceError::Unprocessable(e.to_string()),
            })?;
        let entry = LogEntry::next(st.entries.last(), &actor.id, now, event, None)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let row =
            StoredEntry::from_entry(&entry).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let changed: Vec<KeyRow> = keys
            .records()
            .iter()
            .filter(|k| k.party == party)
            .map(key_row)
            .collect();
        let projection = Projection {
            applications: Vec::new(),
            keys: changed,
            document: None,
        };
        self.commit(st, row, projection, move |st| {
            st.keys = keys;
            st.tree.push_leaf_hash(entry.leaf_hash());
            st.entries.push(entry);
        })
        .await?;
        Ok(record)
    }

    /// The party keys (public), current and retired.
    pub async fn keys(&self) -> KeyRegistry {
        self.state.lock().await.keys.clone()
    }

    /// The log's name (checkpoints' `origin`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The log's size and root now: the state a party's key change names
    /// (what a checkpoint would say, without signing or storing one).
    pub async fn log_state(&self) -> corridor_ledger::LogState {
        let st = self.state.lock().await;
        corridor_ledger::LogState {
            size: st.tree.size(),
            root: st.tree.root(),
        }
    }

    /// A copy of the clearance state.
    pub async fn clearance(&self) -> Clearance {
        self.state.lock().await.clearance.clone()
    }

    /// A copy of one application (not of the whole state, as
    /// [`Service::clearance`] gives).
    pub async fn application(&self, id: &str) -> Option<corridor_clearance::Application> {
        self.state
            .lock()
            .await
            .clearance
            .applications
            .get(id)
            .cloned()
    }

    /// A copy of every entry.
    pub async fn entries(&self) -> Vec<LogEntry> {
        self.state.lock().await.entries.clone()
    }

    /// Signs a checkpoint over the whole log now, and keeps it (one per size)
    /// so `corridor verify` can later check the log against it.
    pub async fn checkpoint(&self) -> Result<SignedCheckpoint, ServiceError> {
        let (size, root, now) = {
            let st = self.state.lock().await;
            (st.tree.size(), st.tree.root(), self.now_after(&st))
        };
        let head = TreeHead {
            origin: self.origin.clone(),
            size,
            root,
            time: now,
        };
        let signed = head
            .sign(&self.log_key)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        use std::sync::atomic::Ordering;
        if size > self.checkpointed.load(Ordering::Acquire) {
            self.db
                .insert_checkpoint(&CheckpointRow {
                    size: i64::try_from(size).map_err(|e| ServiceError::Internal(e.to_string()))?,
                    origin: signed.origin.clone(),
                    root: signed.root.to_hex(),
                    time: corridor_ledger::time::format(signed.time),
                    key_id: signed.key_id.0.clone(),
                    signature: signed.signature.to_base64(),
                })
                .await?;
            self.checkpointed.fetch_max(size, Ordering::AcqRel);
        }
        Ok(signed)
    }

    /// A receipt for the logged entry that carries `signature` (a party's
    /// signed decision counts once, so at most one does): a checkpoint that
    /// covers it, signed now, and the entry's inclusion proof in that tree.
    /// A party that keeps it can later show the log holds its decision, and
    /// check any later log against the checkpoint (`corridor verify
    /// --checkpoint`).
    pub async fn receipt(
        &self,
        signature: &corridor_ledger::Signature,
    ) -> Result<serde_json::Value, ServiceError> {
        let checkpoint = self.checkpoint().await?;
        let st = self.state.lock().await;
        let index = st
            .entries
            .iter()
            .rposition(|e| {
                e.signature
                    .as_ref()
                    .is_some_and(|s| s.signature == *signature)
            })
            .ok_or_else(|| ServiceError::Internal("the decision is not in the log".into()))?;
        let entry = &st.entries[index];
        let proof = st
            .tree
            .inclusion_proof(entry.seq, checkpoint.size)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let seq = entry.seq;
        Ok(serde_json::json!({
            "seq": seq,
            // The entry itself: what was decided, by whom, and the party's
            // signature, so the receipt alone shows what was signed (its
            // hash is `entry_hash`, which the proof leads from).
            "entry": entry,
            "entry_hash": entry.entry_hash,
            "leaf_hash": entry.leaf_hash(),
            "checkpoint": {
                "origin": checkpoint.origin,
                "size": checkpoint.size,
                "root": checkpoint.root,
                "time": corridor_ledger::time::format(checkpoint.time),
                "key_id": checkpoint.key_id,
                "signature": checkpoint.signature,
                "text": checkpoint.to_text().map_err(|e| ServiceError::Internal(e.to_string()))?,
            },
            "proof": proof,
        }))
    }

    /// [`Service::receipt`] for an answer to a request whose entry is
    /// already logged: a failure to make the receipt (storing its checkpoint,
    /// say) must not turn the logged decision into an error, which would
    /// invite a second try. Then the receipt is null and the reason given.
    pub async fn receipt_or_reason(
        &self,
        signature: &corridor_ledger::Signature,
    ) -> (serde_json::Value, Option<String>) {
        match self.receipt(signature).await {
            Ok(r) => (r, None),
            Err(e) => {
                tracing::warn!(error = %e, "no receipt for a logged decision");
                (
                    serde_json::Value::Null,
                    // The cause is logged, not shown (it may be the database's words).
                    Some(
                        "the decision is logged, but its receipt could not be made now: GET /api/v1/log/checkpoint, and GET /api/v1/log/entries/{seq}/proof for its entry (its seq in GET /api/v1/log/export), give the same"
                            .to_string(),
                    ),
                )
            }
        }
    }

    /// The inclusion proof of entry `seq` in the tree of `size` entries.
    pub async fn inclusion_proof(
        &self,
        seq: u64,
        size: u64,
    ) -> Result<(LogEntry, Hash, Vec<Hash>), ServiceError> {
        let st = self.state.lock().await;
        let proof = st
            .tree
            .inclusion_proof(seq, size)
            .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        let root = st
            .tree
            .root_at(size)
            .map_err(|e| ServiceError::BadRequest(e.to_string()))?;
        let entry = st
            .entries
            .get(usize::try_from(seq).map_err(|e| ServiceError::BadRequest(e.to_string()))?)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound(format!("no entry {seq}")))?;
        Ok((entry, root, proof))
    }

    /// The consistency proof between the trees of `first` and `second` entries.
    pub async fn consistency_proof(
        &self,
        first: u64,
        second: u64,
    ) -> Result<(Hash, Hash, Vec<Hash>), ServiceError> {
        let st = self.state.lock().await;
        let bad = |e: corridor_ledger::MerkleError| ServiceError::BadRequest(e.to_string());
        let proof = st.tree.consistency_proof(first, second).map_err(bad)?;
        Ok((
            st.tree.root_at(first).map_err(bad)?,
            st.tree.root_at(second).map_err(bad)?,
            proof,
        ))
    }

    /// The export `tools/verify_log.py` reads, with a fresh checkpoint.
    pub async fn export(&self) -> Result<corridor_ledger::LogExport, ServiceError> {
        let checkpoint = self.checkpoint().await?;
        let st = self.state.lock().await;
        let size = usize::try_from(checkpoint.size)
            .unwrap_or(usize::MAX)
            .min(st.entries.len());
        // Keys are registered in the log, so the export starts from no keys.
        Ok(corridor_ledger::export_log(
            &self.origin,
            &self.log_key.public_key(),
            &KeyRegistry::new(),
            &st.entries[..size],
            &checkpoint,
        ))
    }

    /// The public accountability figures now.
    pub async fn accountability(&self) -> Result<corridor_clearance::Accountability, ServiceError> {
        let fresh = || {
            Ok(corridor_clearance::Tally::new(
                self.config.clone(),
                crate::inspections::plan_timetable(&self.capacity)?,
            ))
        };
        let (tally, now) = self
            .caught_up(&self.tally, fresh, corridor_clearance::Tally::add)
            .await?;
        Ok(tally.1.figures(now))
    }

    /// The public monthly operations figures now.
    pub async fn operations(&self) -> Result<corridor_clearance::Operations, ServiceError> {
        let fresh = || {
            Ok(corridor_clearance::OperationsTally::new(
                self.config.clone(),
                crate::inspections::centre_tz(&self.capacity)?,
            ))
        };
        let (tally, _) = self
            .caught_up(
                &self.operations,
                fresh,
                corridor_clearance::OperationsTally::add,
            )
            .await?;
        Ok(tally.1.figures())
    }

    /// A kept tally of the log (entries read, tally) with the entries
    /// added since, and now: parsed under the state's lock, added outside
    /// it, so a public request never replays the whole log again. A log
    /// reloaded shorter, or an event the tally refuses, starts it again.
    async fn caught_up<'a, T>(
        &self,
        kept: &'a Mutex<(usize, T)>,
        fresh: impl Fn() -> Result<T, ServiceError>,
        add: impl Fn(&mut T, Timestamp, &Event) -> Result<(), corridor_clearance::machine::ReplayError>,
    ) -> Result<(tokio::sync::MutexGuard<'a, (usize, T)>, Timestamp), ServiceError> {
        let mut tally = kept.lock().await;
        let (now, new) = {
            let st = self.state.lock().await;
            if tally.0 > st.entries.len() {
                *tally = (0, fresh()?);
            }
            let mut new = Vec::new();
            for e in &st.entries[tally.0..] {
                if let Some(ev) = Event::from_log_event(&e.event)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?
                {
                    new.push((e.time, ev));
                }
            }
            tally.0 = st.entries.len();
            (self.now_after(&st), new)
        };
        for (at, event) in &new {
            if let Err(e) = add(&mut tally.1, *at, event) {
                // Not the log's any more: the next request starts again.
                *tally = (0, fresh()?);
                return Err(ServiceError::Internal(e.to_string()));
            }
        }
        Ok((tally, now))
    }

    /// Attaches an uploaded file to an application: checked against the size
    /// limit and the checklist, stored with its SHA-256, and added to the
    /// content (a draft is updated; an application in review is amended,
    /// which voids every decision on the earlier version).
    pub async fn attach_document(
        &self,
        actor: &Actor,
        id: &str,
        kind: &str,
        filename: &str,
        bytes: Vec<u8>,
    ) -> Result<Event, ServiceError> {
        let app = self
            .clearance()
            .await
            .applications
            .get(id)
            .cloned()
            .ok_or_else(|| ServiceError::NotFound("no such application".into()))?;
        corridor_clearance::can(
            actor,
            corridor_clearance::Action::EditApplication,
            corridor_clearance::Resource::Application {
                company: &app.company,
            },
        )
        .map_err(|_| ServiceError::Forbidden)?;
        let size = bytes.len() as u64;
        corridor_clearance::application::check_upload(filename, size, &self.config).map_err(
            |p| match p {
                corridor_clearance::application::DocumentProblem::TooLarge { .. } => {
                    ServiceError::TooLarge(p.to_string())
                }
                other => ServiceError::Unprocessable(other.to_string()),
            },
        )?;
        let docs = &self.config.documents;
        if !docs
            .required
            .iter()
            .chain(&docs.optional)
            .any(|k| k == kind)
        {
            return Err(ServiceError::Unprocessable(format!(
                "document kind {kind} is not on this corridor's checklist ({})",
                docs.required
                    .iter()
                    .chain(&docs.optional)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if filename.trim().is_empty()
            || filename.chars().count() > 200
            || filename.contains(['/', '\\'])
            || matches!(filename.trim(), "." | "..")
        {
            return Err(ServiceError::Unprocessable(
                "filename: 1 to 200 characters, no path".into(),
            ));
        }
        if let Some(p) = corridor_domain::text::plain_text_problem(filename, 200, &[]) {
            return Err(ServiceError::Unprocessable(format!("filename: {p}")));
        }
        corridor_clearance::application::check_content(filename, &bytes)
            .map_err(|p| ServiceError::Unprocessable(p.to_string()))?;
        let sha256 = Hash::of(&bytes);
        let document = corridor_clearance::Document {
            kind: kind.to_string(),
            filename: filename.to_string(),
            sha256,
            size_bytes: size,
        };
        // Built from the application as it is when the upload is logged, so
        // uploads at the same time all land.
        let build = |c: &corridor_clearance::Clearance| {
            let app = c
                .applications
                .get(id)
                .ok_or_else(|| ServiceError::NotFound("no such application".into()))?;
            // Documents are named by their bytes' hash: one file is one
            // document, so the same bytes cannot stand for a second kind.
            if let Some(d) = app.content.documents.iter().find(|d| d.sha256 == sha256) {
                let as_what = if d.kind == kind {
                    "as this kind already".to_string()
                } else {
                    format!("as {}", d.kind.replace('_', " "))
                };
                return Err(ServiceError::Conflict(format!(
                    "this file is already attached {as_what} ({:?}); a file stands for one document kind: attach each kind as its own file",
                    d.filename
                )));
            }
            // A new file of a kind replaces the old one in the application:
            // the parties review the current papers. The old file stays
            // stored and named, by hash, in the logged earlier version.
            let mut content = app.content.clone();
            content.documents.retain(|d| d.kind != kind);
            content.documents.push(document);
            match app.status {
                Status::Draft => Ok(Command::UpdateDraft {
                    application_id: id.to_string(),
                    content,
                }),
                st if st.in_review() => Ok(Command::Amend {
                    application_id: id.to_string(),
                    content,
                }),
                st => Err(ServiceError::Conflict(format!(
                    "documents cannot be added to an application that is {}",
                    st.words()
                ))),
            }
        };
        let doc = DocRow {
            application_id: id.to_string(),
            sha256: sha256.to_hex(),
            kind: kind.to_string(),
            filename: filename.to_string(),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
            content: bytes,
            uploaded_by: actor.id.clone(),
            uploaded_at: corridor_ledger::time::format(self.now().await),
        };
        self.execute_on(actor, build, Some(doc)).await
    }

    /// Refuses a file of `kind` beyond the application's bound on stored
    /// versions (open finding 34: a document replaced again and again kept
    /// every file). At the bound no file of that kind is taken, not even
    /// one stored before: the upload route checks before it reads a body.
    pub(crate) async fn room_for_a_file(
        &self,
        application_id: &str,
        kind: &str,
    ) -> Result<(), ServiceError> {
        let max = self.config.documents.max_versions_per_kind;
        if self.db.document_count(application_id, kind).await? >= u64::from(max) {
            return Err(ServiceError::Conflict(format!(
                "{application_id} already keeps {max} versions of its {kind} (replaced ones stay \
                 stored for the record), the most an application may; withdraw it and apply again"
            )));
        }
        Ok(())
    }

    /// The time now (never before the last entry).
    pub async fn now(&self) -> Timestamp {
        let st = self.state.lock().await;
        self.now_after(&st)
    }
}

/// Refuses a create, edit or amendment whose documents differ from the
/// application's: a document names a stored file by hash, and only an
/// upload stores one (a made-up hash would pass review and then fail
/// `corridor verify` as a file missing from the record).
fn documents_kept(
    c: &corridor_clearance::Clearance,
    command: &Command,
) -> Result<(), ServiceError> {
    let (current, content) = match command {
        Command::CreateDraft { content, .. } => (&[][..], content),
        Command::UpdateDraft {
            application_id,
            content,
        }
        | Command::Amend {
            application_id,
            content,
        } => match c.applications.get(application_id) {
            Some(app) => (&app.content.documents[..], content),
            // The machine says why (no such application, or not the caller's).
            None => return Ok(()),
        },
        _ => return Ok(()),
    };
    let same = content.documents.len() == current.len()
        && content.documents.iter().all(|d| current.contains(d));
    if same {
        Ok(())
    } else {
        Err(ServiceError::Unprocessable(
            "documents: attach each file with POST /api/v1/applications/{id}/documents; \
             an edit sends the documents exactly as the application lists them"
                .into(),
        ))
    }
}

pub(crate) fn app_row(app: &corridor_clearance::Application) -> Result<AppRow, ServiceError> {
    Ok(AppRow {
        id: app.id.clone(),
        company: app.company.clone(),
        status: app.status.name(),
        content: serde_json::to_string(&app.content)
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
        content_hash: app.content_hash.to_hex(),
        updated_at: corridor_ledger::time::format(app.updated_at),
    })
}

pub(crate) fn key_row(k: &KeyRecord) -> KeyRow {
    KeyRow {
        key_id: k.key_id.0.clone(),
        party: k.party.clone(),
        public_key: k.public_key.to_base64(),
        valid_from: corridor_ledger::time::format(k.valid_from),
        valid_until: k.valid_until.map(corridor_ledger::time::format),
    }
}

/// A hook into tracking that whoever runs it sets once at start-up (a
/// server without tracking leaves it unset); shown by `Debug` as set or
/// not, since the closures inside print nothing useful.
pub(crate) struct Wired<T>(std::sync::OnceLock<T>);

impl<T> Default for Wired<T> {
    fn default() -> Self {
        Wired(std::sync::OnceLock::new())
    }
}

impl<T> Wired<T> {
    pub(crate) fn get(&self) -> Option<&T> {
        self.0.get()
    }

    /// `false` when it was set before (the first stays).
    pub(crate) fn set(&self, hook: T) -> bool {
        self.0.set(hook).is_ok()
    }
}

impl<T> std::fmt::Debug for Wired<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "Wired(set)"
        } else {
            "Wired(none)"
        })
    }
}
