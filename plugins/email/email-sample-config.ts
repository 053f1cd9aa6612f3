/** The commented sample `plugin.toml` that `gatehouse-email configure` prints. */
export const EMAIL_SAMPLE_CONFIG = `# Gatehouse email plugin configuration (gatehouse-email start -c /etc/gatehouse-email.toml)
# A Teleport email plugin config ([teleport], [smtp], [delivery], [role_to_recipients]) loads unchanged.

[gatehouse]                     # "[teleport]" is accepted too
addr = "gatehouse.example.com:3025"           # or a list: ["gh-1.example.com:3025", "gh-2.example.com:3025"]
identity = "/var/lib/gatehouse/plugin.pem"    # identity file (roles: access-plugin); reloaded when renewed
# client_key = "/var/lib/gatehouse/plugin.key"  # instead of identity: key, certificate and CA files
# client_crt = "/var/lib/gatehouse/plugin.crt"
# root_cas = "/var/lib/gatehouse/cas.pem"
# web_console_url = "https://gatehouse.example.com"   # emails link to <url>/web/requests/<id>

[smtp]
host = "smtp.example.com"
port = 587                      # 587 (submission, STARTTLS); 465 means TLS from the first byte
username = "gatehouse@example.com"            # leave out (with password) for a relay without AUTH
password = "env:SMTP_PASSWORD"  # the value itself, "env:NAME", or a file path ("/run/secrets/smtp-password")
# password_file = "/var/lib/gatehouse/smtp-password"   # Teleport's spelling of a password file
starttls_policy = "mandatory"   # mandatory | opportunistic | disabled (plain text: only on a trusted network)
# implicit_tls = false          # TLS from the first byte; default true on port 465
# ca_file = "/etc/ssl/private-ca.pem"  # trust a private CA for the server's certificate (certificates are always verified)
# pool_size = 5                 # SMTP connections kept open
# timeout = "10s"               # connect, greeting and idle timeout of one connection

[delivery]
sender = "Gatehouse <noreply@example.com>"    # From:; its domain also ends every Message-ID
# notify_requester = true       # the requester (user trait "email", or a user name that is an address) gets the outcome

# Who gets each request: the addresses of each requested role, "*" for roles without their own
# entry (required). Suggested reviewers that are email addresses are added.
[role_to_recipients]
"*" = ["access-reviewers@example.com"]
# "prodaccess" = ["oncall-lead@example.com", "security@example.com"]

[http]                          # optional: /healthz, /readyz, /metrics
listen_addr = "0.0.0.0:8081"

[log]
output = "stderr"               # "stderr", "stdout" or a file path
severity = "INFO"               # DEBUG, INFO, WARN or ERROR
`;
