# Packaging and systemd tests (packaging/*IT, systemd/*Test): lintian checks the .deb,
# systemd-analyze verifies the units; dpkg-deb and adduser come with the base system.
apt-get install -y --no-install-recommends lintian systemd adduser
