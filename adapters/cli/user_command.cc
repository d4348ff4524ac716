// rectify user add|passwd|disable|enable|list and rectify token create|revoke|list: the accounts
// through which people sign in to `rectify serve`, and the API tokens of the systems that act for
// them (engine/include/rectify/auth/). Run on the server by its operator; every change is kept in
// account_events with the channel "cli".
//
// A person gets an account only when an org definition loaded names them (the account is bound to
// that person, whose unit and roles always come from the definitions). Passwords are read from
// standard input with --password-stdin (one line), or asked twice without echo on a terminal;
// never from the command line, where other users of the server could read them.
#include <termios.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <iostream>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/definition_sources.h"
#include "adapters/cli/text_table.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_account_store.h"
#include "rectify/auth/secrets.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/ledger.h"

namespace rectify::cli {
namespace {

constexpr const char* kChannel = "cli";

struct UserArgs {
  std::string person;
  std::string org;
  DefinitionSources definitions;
  bool admin = false;
  bool password_stdin = false;
};

struct TokenArgs {
  std::string person;
  std::string id;
  std::string expires = "90d";
  std::string scope = "write";
  std::string label;
};

// The accounts store on the migrated database; kFailedPrecondition when migration 0005 is missing.
Result<std::unique_ptr<store_soci::SociAccountStore>> OpenAccounts(Context& ctx) {
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return opened.error();
  auto has = opened->db->TableExists("accounts");
  if (!has) return has.error();
  if (!*has) {
    return Error::FailedPrecondition("the database " + opened->url.Redacted() +
                                     " has no accounts table yet; run 'rectify migrate' first");
  }
  return std::make_unique<store_soci::SociAccountStore>(std::move(opened->db));
}

// The org that names `person`: the one given, else the only one loaded that has them.
Result<std::string> OrgOfPerson(Context& ctx, const UserArgs& a) {
  auto set = LoadDefinitionSources(ctx, a.definitions);
  if (!set) return set.error();
  std::vector<std::string> orgs;
  for (const auto& info : (*set)->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    if (!a.org.empty() && info.name != a.org) continue;
    auto org = (*set)->FindOrg(info.name, info.version);
    if (org && org->FindPerson(a.person) && (orgs.empty() || orgs.back() != info.name)) {
      orgs.push_back(info.name);
    }
  }
  if (orgs.empty()) {
    return Error::NotFound(
        "no org definition loaded names the person '" + a.person + "'" +
        (a.org.empty() ? "" : " in org '" + a.org + "'") +
        "; an account belongs to a person of an org (add the org's folder with --definitions)");
  }
  if (orgs.size() > 1) {
    std::string list;
    for (const auto& o : orgs) list += (list.empty() ? "" : ", ") + o;
    return Error::BadInput("the person id '" + a.person + "' is in several orgs (" + list +
                           "); say which with --org");
  }
  return orgs.front();
}

// One line from standard input, without its line ending.
Result<std::string> ReadPasswordLine() {
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Error::BadInput("no password on standard input (--password-stdin reads one line)");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Result<std::string> PromptPassword(Context& ctx) {
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) {
    return Error::BadInput(
        "give the password with --password-stdin (standard input is not a "
        "terminal to ask on)");
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  auto ask = [&](const char* prompt) -> Result<std::string> {
    ctx.err << prompt << std::flush;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    auto line = ReadPasswordLine();
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    ctx.err << "\n";
    return line;
  };
  auto first = ask("password: ");
  if (!first) return first.error();
  auto second = ask("again: ");
  if (!second) return second.error();
  if (*first != *second) return Error::BadInput("the two passwords differ; nothing was changed");
  return *first;
}

Result<std::string> NewPasswordHash(Context& ctx, const UserArgs& a) {
  auto password = a.password_stdin ? ReadPasswordLine() : PromptPassword(ctx);
  if (!password) return password.error();
  if (Status s = auth::CheckPasswordPolicy(*password, a.person); !s) return s.error();
  return auth::HashPassword(*password);
}

auth::AccountEvent Event(const std::string& person, std::string event, std::string detail = {}) {
  SystemClock clock;
  return {clock.Now(), person, "cli", kChannel, std::move(event), std::move(detail)};
}

void RunAdd(Context& ctx, const UserArgs& a) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  auto org = OrgOfPerson(ctx, a);
  if (!org) return ctx.Fail(org.error());
  auto existing = (*accounts)->FindAccount(a.person);
  if (!existing) return ctx.Fail(existing.error());
  if (*existing) {
    return ctx.Fail(Error::UniqueViolation(a.person +
                                           " already has an account (change its "
                                           "password with rectify user passwd " +
                                           a.person + ")"));
  }
  auto hash = NewPasswordHash(ctx, a);
  if (!hash) return ctx.Fail(hash.error());
  auth::AccountEvent event = Event(a.person, "created", a.admin ? "admin" : "");
  auth::Account account{a.person, *org, *hash, a.admin, false, event.at, event.at, event.at};
  if (Status s = (*accounts)->AddAccount(account, event); !s) return ctx.Fail(s.error());
  ctx.out << "added " << (a.admin ? "administrator " : "") << a.person << " (" << *org << ")\n";
}

void RunPasswd(Context& ctx, const UserArgs& a) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  auto existing = (*accounts)->FindAccount(a.person);
  if (!existing) return ctx.Fail(existing.error());
  if (!*existing) {
    return ctx.Fail(Error::NotFound(a.person + " has no account (add one with rectify user add " +
                                    a.person + ")"));
  }
  auto hash = NewPasswordHash(ctx, a);
  if (!hash) return ctx.Fail(hash.error());
  if (Status s = (*accounts)->SetPassword(a.person, *hash, Event(a.person, "password_changed"));
      !s) {
    return ctx.Fail(s.error());
  }
  ctx.out << "changed the password of " << a.person << "; their sessions were ended\n";
}

void RunSetDisabled(Context& ctx, const UserArgs& a, bool disabled) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  if (Status s = (*accounts)->SetDisabled(a.person, disabled,
                                          Event(a.person, disabled ? "disabled" : "enabled"));
      !s) {
    return ctx.Fail(s.error());
  }
  ctx.out << (disabled ? "disabled " : "enabled ") << a.person
          << (disabled ? "; their sessions were ended and their tokens do not work" : "") << "\n";
}

void RunList(Context& ctx) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  auto list = (*accounts)->ListAccounts();
  if (!list) return ctx.Fail(list.error());
  if (ctx.format() == Format::kJson) {
    boost::json::array arr;
    for (const auto& a : *list) {
      arr.push_back({{"person", a.person},
                     {"org", a.org},
                     {"admin", a.admin},
                     {"disabled", a.disabled},
                     {"created_at", FormatIso(a.created_at)},
                     {"password_changed_at", FormatIso(a.password_changed_at)}});
    }
    ctx.out << boost::json::serialize(boost::json::object{{"accounts", arr}}) << "\n";
    return;
  }
  if (ctx.format() == Format::kCsv) {
    ctx.out << engine::CsvLine({"person", "org", "admin", "disabled", "created_at"});
    for (const auto& a : *list) {
      ctx.out << engine::CsvLine({a.person, a.org, a.admin ? "yes" : "no",
                                  a.disabled ? "yes" : "no", FormatIso(a.created_at)});
    }
    return;
  }
  if (list->empty()) {
    ctx.out << "no accounts yet (add the first administrator with rectify user add PERSON "
               "--admin)\n";
    return;
  }
  TextTable table({"person", "org", "admin", "disabled", "created"});
  for (const auto& a : *list) {
    table.Add(
        {a.person, a.org, a.admin ? "yes" : "", a.disabled ? "yes" : "", FormatIso(a.created_at)});
  }
  ctx.out << table.Format();
}

// "90d" or "12h": how long a token lives, at most two years.
Result<Duration> ParseExpiry(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit = text.substr(digits);
  if (digits == 0 || digits > 6 || (unit != "d" && unit != "h")) {
    return Error::BadInput("--expires '" + text + "': write a number of days or hours (90d, 12h)");
  }
  long long n = std::stoll(text.substr(0, digits));
  auto hours = std::chrono::hours(unit == "d" ? n * 24 : n);
  if (n == 0 || hours > std::chrono::hours(24 * 730)) {
    return Error::BadInput("--expires '" + text + "': a token lives between 1h and 730d");
  }
  return std::chrono::duration_cast<Duration>(hours);
}

void RunTokenCreate(Context& ctx, const TokenArgs& a) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  auto expiry = ParseExpiry(a.expires);
  if (!expiry) return ctx.Fail(expiry.error());
  auto account = (*accounts)->FindAccount(a.person);
  if (!account) return ctx.Fail(account.error());
  if (!*account) {
    return ctx.Fail(Error::NotFound(a.person +
                                    " has no account; a token acts as a person (add "
                                    "one with rectify user add " +
                                    a.person + ")"));
  }
  if ((*account)->disabled) {
    return ctx.Fail(Error::FailedPrecondition(a.person +
                                              "'s account is disabled (rectify user "
                                              "enable " +
                                              a.person + ")"));
  }
  auth::IssuedSecret secret = auth::NewApiToken();
  auth::AccountEvent event = Event(a.person, "token_created", secret.id);
  auth::ApiToken token{secret.id, a.person,           secret.hash,  a.scope,     a.label,
                       event.at,  event.at + *expiry, std::nullopt, std::nullopt};
  if (Status s = (*accounts)->AddToken(token, event); !s) return ctx.Fail(s.error());
  // The token alone on standard output, for scripts; what it is on standard error.
  ctx.out << secret.text << "\n";
  ctx.err << "token " << secret.id << " for " << a.person << " (" << a.scope << "), expires "
          << FormatIso(token.expires_at) << "; it is shown only this once\n";
}

void RunTokenRevoke(Context& ctx, const TokenArgs& a) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  auto token = (*accounts)->FindToken(a.id);
  if (!token) return ctx.Fail(token.error());
  if (!*token) {
    return ctx.Fail(Error::NotFound("no token " + a.id + " (rectify token list shows them)"));
  }
  if (Status s = (*accounts)->RevokeToken(a.id, Event((*token)->person, "token_revoked", a.id));
      !s) {
    return ctx.Fail(s.error());
  }
  ctx.out << "revoked token " << a.id << " of " << (*token)->person << "\n";
}

void RunTokenList(Context& ctx, const TokenArgs& a) {
  auto accounts = OpenAccounts(ctx);
  if (!accounts) return ctx.Fail(accounts.error());
  auto tokens = (*accounts)->ListTokens(a.person);
  if (!tokens) return ctx.Fail(tokens.error());
  SystemClock clock;
  Timestamp now = clock.Now();
  auto state = [&](const auth::ApiToken& t) {
    return t.revoked_at ? "revoked" : t.expires_at <= now ? "expired" : "live";
  };
  if (ctx.format() == Format::kJson) {
    boost::json::array arr;
    for (const auto& t : *tokens) {
      arr.push_back({{"id", t.id},
                     {"person", t.person},
                     {"scope", t.scope},
                     {"label", t.label},
                     {"state", state(t)},
                     {"created_at", FormatIso(t.created_at)},
                     {"expires_at", FormatIso(t.expires_at)}});
    }
    ctx.out << boost::json::serialize(boost::json::object{{"tokens", arr}}) << "\n";
    return;
  }
  if (tokens->empty()) {
    ctx.out << "no tokens\n";
    return;
  }
  TextTable table({"id", "person", "scope", "state", "expires", "label"});
  for (const auto& t : *tokens) {
    table.Add({t.id, t.person, t.scope, state(t), FormatIso(t.expires_at), t.label});
  }
  ctx.out << table.Format();
}

}  // namespace

void RegisterUser(CLI::App& app, Context& ctx) {
  auto* user = app.add_subcommand("user", "Accounts of the people who sign in to rectify serve");
  user->require_subcommand(1);
  auto a = std::make_shared<UserArgs>();

  auto* add = user->add_subcommand("add", "Give a person of an org definition an account");
  add->add_option("person", a->person, "The person's id in an org definition")->required();
  add->add_flag("--admin", a->admin, "An administrator (definitions, accounts, audit)");
  add->add_flag("--password-stdin", a->password_stdin,
                "Read the password from standard input (one line); otherwise it is asked twice "
                "on the terminal");
  add->add_option("--org", a->org, "The org, when the person id is in several");
  AddDefinitionOptions(add, a->definitions);
  add->callback([&ctx, a] { RunAdd(ctx, *a); });

  auto* passwd = user->add_subcommand("passwd", "Set a new password; ends the person's sessions");
  passwd->add_option("person", a->person, "The person's id")->required();
  passwd->add_flag("--password-stdin", a->password_stdin,
                   "Read the password from standard input (one line)");
  passwd->callback([&ctx, a] { RunPasswd(ctx, *a); });

  auto* disable = user->add_subcommand(
      "disable", "Stop an account at once: its sessions end and its tokens stop working");
  disable->add_option("person", a->person, "The person's id")->required();
  disable->callback([&ctx, a] { RunSetDisabled(ctx, *a, true); });

  auto* enable = user->add_subcommand("enable", "Let a disabled account sign in again");
  enable->add_option("person", a->person, "The person's id")->required();
  enable->callback([&ctx, a] { RunSetDisabled(ctx, *a, false); });

  auto* list = user->add_subcommand("list", "The accounts (--format text, json or csv)");
  SupportFormats(ctx, list, {"json", "csv"});
  list->callback([&ctx] { RunList(ctx); });

  auto* token = app.add_subcommand("token", "API tokens for systems that act as a person");
  token->require_subcommand(1);
  auto t = std::make_shared<TokenArgs>();
  auto* create = token->add_subcommand(
      "create", "Make a token; it is printed alone on standard output, only this once");
  create->add_option("person", t->person, "The person the token acts as")->required();
  create->add_option("--expires", t->expires, "How long it lives (default 90d; at most 730d)");
  create->add_option("--scope", t->scope, "read (only reads) or write (default)")
      ->check(CLI::IsMember({"read", "write"}));
  create->add_option("--label", t->label, "What it is for (e.g. the provincial platform)");
  create->callback([&ctx, t] { RunTokenCreate(ctx, *t); });

  auto* revoke = token->add_subcommand("revoke", "Stop a token at once");
  revoke->add_option("id", t->id, "The token's id (rectify token list)")->required();
  revoke->callback([&ctx, t] { RunTokenRevoke(ctx, *t); });

  auto* tlist = token->add_subcommand("list", "The tokens, newest first (never their secrets)");
  SupportFormats(ctx, tlist, {"json"});
  tlist->add_option("--person", t->person, "Only this person's");
  tlist->callback([&ctx, t] { RunTokenList(ctx, *t); });
}

}  // namespace rectify::cli
