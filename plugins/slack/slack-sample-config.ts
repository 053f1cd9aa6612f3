/** The commented sample `plugin.toml` that `gatehouse-slack configure` prints. */
export const SLACK_SAMPLE_CONFIG = `# Gatehouse Slack plugin configuration (gatehouse-slack start -c /etc/gatehouse-slack.toml)
# The plugin's Gatehouse user needs only the role access-plugin: it notifies and never reviews.

[gatehouse]                     # "[teleport]" is accepted too, so a Teleport plugin config loads unchanged
addr = "gatehouse.example.com:3025"           # or a list: ["gh-1.example.com:3025", "gh-2.example.com:3025"]
identity = "/var/lib/gatehouse/plugin.pem"    # identity file (gatehouse auth sign --user slack-plugin --ttl 2160h --out FILE); reloaded when renewed
# client_key = "/var/lib/gatehouse/plugin.key"  # instead of identity: key, certificate and CA files
# client_crt = "/var/lib/gatehouse/plugin.crt"
# root_cas = "/var/lib/gatehouse/cas.pem"
# web_console_url = "https://gatehouse.example.com"   # messages link to <url>/web/requests/<id>

[slack]
token = "env:SLACK_BOT_TOKEN"   # bot OAuth token (xoxb-...): the value itself, "env:NAME", or a file path ("/run/secrets/slack-token")
                                # scopes: chat:write; users:read.email for email recipients and requester DMs;
                                # channels:history, groups:history, im:history, channels:read, groups:read, im:write
                                # to check a post left in doubt by a crash (without them it is not repeated)
recipients = ["access-requests"]               # default recipients: channel names or IDs; an email is sent as a DM
# api_url = "https://slack.com/api/"            # for proxies and tests
# notify_requester = true                        # DM the requester (user trait "email", or a user name that is an email) when resolved

# Recipients per requested role; "*" is the default for roles not listed (it replaces slack.recipients).
# Suggested reviewers that are emails are always added.
# [role_to_recipients]
# "*" = ["access-requests"]
# "prodaccess" = ["#prod-oncall", "lead@example.com"]

[http]                          # optional: /healthz, /readyz, /metrics
listen_addr = "0.0.0.0:8081"
# https_key_file = "/var/lib/gatehouse/http.key"
# https_cert_file = "/var/lib/gatehouse/http.crt"
# [http.basic_auth]             # protects /metrics and webhooks (not the probes)
# user = "prometheus"
# password = "env:METRICS_PASSWORD"

[log]
output = "stderr"               # "stderr", "stdout" or a file path
severity = "INFO"               # DEBUG, INFO, WARN or ERROR
`;
