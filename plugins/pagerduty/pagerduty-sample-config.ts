/** The commented sample `plugin.toml` that `gatehouse-pagerduty configure` prints. */
export const PAGERDUTY_SAMPLE_CONFIG = `# Gatehouse PagerDuty plugin configuration (gatehouse-pagerduty start -c /etc/gatehouse-pagerduty.toml)
# The plugin's Gatehouse user needs the role access-plugin; for on-call auto-approval also
# access-plugin-reviewer (or a role of yours that scopes it, see [pagerduty.auto_approve]).

[gatehouse]                     # "[teleport]" is accepted too, so a Teleport plugin config loads unchanged
addr = "gatehouse.example.com:3025"           # or a list: ["gh-1.example.com:3025", "gh-2.example.com:3025"]
identity = "/var/lib/gatehouse/plugin.pem"    # identity file (gatehouse auth sign --user pagerduty-plugin --ttl 2160h --out FILE); reloaded when renewed
# web_console_url = "https://gatehouse.example.com"   # incidents link to <url>/web/requests/<id>

[pagerduty]
api_key = "env:PAGERDUTY_API_KEY"             # REST API key: the value itself, "env:NAME", or a file path ("/run/secrets/pd-key")
user_email = "gatehouse-bot@example.com"      # a PagerDuty user's email, sent as "From" on incident writes
# api_endpoint = "https://api.pagerduty.com"  # EU accounts: "https://api.eu.pagerduty.com"

# Names of the request annotations (set in roles: allow.request.annotations) that name services.
# [pagerduty.request_annotations]
# notify_service = "pagerduty_notify_service"  # one incident per request on this service
# services = "pagerduty_services"              # auto-approve when the requester is on call for one of these

# On-call auto-approval. The plugin submits an approving review as its own user, which needs
# the role access-plugin-reviewer (any role) or a role of yours with
# allow.review_requests.roles: [...] (only those); deny.review_requests rules in another role of
# the plugin's user limit it too. The role's thresholds still decide whether that approves.
# [pagerduty.auto_approve]
# enabled = true
# escalation_levels = [1, 2]                   # only these levels count as on call (default: all)
# roles = ["prodaccess"]                       # only requests for these roles (default: all)
# require_acknowledged_incident = false        # also require an acknowledged open incident on one of the services
# email_trait = "pagerduty_email"              # user trait with the PagerDuty email (then trait "email", then the user name)
# [pagerduty.auto_approve.user_emails]         # Gatehouse user -> PagerDuty email; wins over traits
# "alice" = "alice.smith@corp.example.com"

[http]                          # optional: /healthz, /readyz, /metrics
listen_addr = "0.0.0.0:8081"

[log]
output = "stderr"               # "stderr", "stdout" or a file path
severity = "INFO"               # DEBUG, INFO, WARN or ERROR
`;
