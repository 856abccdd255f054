# packaging: MonitoringFilesTest runs promtool (Debian prometheus) on the shipped alert rules:
# "promtool check rules" and the alerts' unit tests ("promtool test rules").
apt-get install -y --no-install-recommends prometheus
