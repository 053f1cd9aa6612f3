/** The commented sample `plugin.toml` that `gatehouse-jira configure` prints. */
export const JIRA_SAMPLE_CONFIG = `# Gatehouse Jira plugin configuration (gatehouse-jira start -c /etc/gatehouse-jira.toml)
# The plugin's Gatehouse user needs the roles access-plugin AND access-plugin-delegate: a Jira
# transition becomes a review on behalf of the person who made it.

[gatehouse]                     # "[teleport]" is accepted too
addr = "gatehouse.example.com:3025"
identity = "/var/lib/gatehouse/jira-plugin.pem"   # identity file (gatehouse auth sign --user jira-plugin --ttl 2160h --out FILE); reloaded when renewed
# web_console_url = "https://gatehouse.example.com"   # issues link to <url>/web/requests/<id>

[jira]
url = "https://example.atlassian.net"        # Jira Cloud site (https)
username = "gatehouse-bot@example.com"       # the Jira account the plugin acts as (its email)
api_token = "env:JIRA_API_TOKEN"             # API token: the value, "env:NAME", or a file path
project = "ACCESS"                           # project key; issues are created here
# issue_type = "Task"
# label = "gatehouse-access-request"         # every issue gets it; the reconciler searches by it
# webhook_secret = "env:JIRA_WEBHOOK_SECRET" # the webhook's secret: deliveries must be signed (X-Hub-Signature)
# reconcile_interval = "5m"                  # search for changed issues (lost webhooks) this often
# reconcile_window = "7d"                    # how far back the first search after a start looks

# Status names of the project's workflow (case-insensitive). Issues start in pending; a move to
# approved or denied is a review by whoever made it. expired = "" if the workflow has none.
# [jira.statuses]
# pending = "Pending"
# approved = "Approved"
# denied = "Denied"
# expired = "Expired"

# Jira accounts whose email is hidden or differs from Gatehouse: accountId or email -> Gatehouse user.
# Without an entry, the account's email must be a Gatehouse user name or a user's "email" trait.
# [jira.user_mapping]
# "5b10ac8d82e05b22cc7d4ef5" = "alice"
# "bob@contractor.example" = "bob"

[http]                          # the webhook listener: POST / (or /webhook); also /healthz, /readyz, /metrics
listen_addr = "0.0.0.0:8081"    # Jira webhook URL: https://<this host>/ ; events: issue updated
# https_key_file = "/var/lib/gatehouse/http.key"
# https_cert_file = "/var/lib/gatehouse/http.crt"
# [http.basic_auth]             # put the credentials in the webhook URL: https://user:password@host/
# user = "jira"
# password = "env:JIRA_WEBHOOK_PASSWORD"

[log]
output = "stderr"
severity = "INFO"
`;
