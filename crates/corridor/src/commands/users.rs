//! `corridor users`: accounts made on the database itself, for the first
//! administrator of a new deployment (after that, the administrator makes
//! the others through the dashboard or `POST /api/v1/users`).

use std::io::BufRead as _;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Subcommand, ValueEnum};
use corridor_clearance::Role;

use super::{Context, print};

/// Accounts.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Make an account, its password read from the first line of standard input
    /// (e.g. the first administrator: `corridor users add alice --role admin < password.txt`)
    Add {
        /// User name: 1 to 64 of A-Z a-z 0-9 - _ .
        username: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The delegate's party (a party code of the corridor's rules)
        #[arg(long, required_if_eq("role", "delegate"))]
        party: Option<String>,
        /// The agent's shipping company
        #[arg(long, required_if_eq("role", "agent"))]
        company: Option<String>,
    },
    /// List the accounts: user name, role, when made
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Admin,
    Coordinator,
    Inspector,
    Delegate,
    Agent,
}

pub async fn run(ctx: &Context, cmd: UsersCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UsersCommand::Add {
            username,
            role,
            party,
            company,
        } => {
            if party.is_some() && !matches!(role, RoleArg::Delegate) {
                bail!("--party is for a delegate");
            }
            if company.is_some() && !matches!(role, RoleArg::Agent) {
                bail!("--company is for an agent");
            }
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Coordinator => Role::Coordinator,
                RoleArg::Inspector => Role::Inspector,
                RoleArg::Delegate => Role::Delegate {
                    party: party.context("a delegate needs --party")?,
                },
                RoleArg::Agent => Role::Agent {
                    company: company.context("an agent needs --company")?,
                },
            };
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                bail!("no password on standard input (its first line is the password)");
            }
            let service = ctx.clearance_service().await?;
            service
                .create_user(&username, password, &role)
                .await
                .with_context(|| format!("user {username}"))?;
            print(&format!(
                "user {username} made ({})\n",
                serde_json::to_string(&role)?
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        UsersCommand::List => {
            ctx.require(super::Holds::Corridor).await?;
            let service = ctx.clearance_service().await?;
            for (name, role, created) in service.db().users().await? {
                print(&format!("{name}\t{role}\t{created}\n"))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
