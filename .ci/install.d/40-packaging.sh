# Packaging and systemd tests (packaging/*IT, systemd/*Test): lintian checks the .deb,
# systemd-analyze verifies the units; dpkg-deb and adduser come with the base system. DebInstallIT
# creates the database of the installed package on Debian's postgresql with "sipis db init".
apt-get install -y --no-install-recommends lintian systemd adduser postgresql
